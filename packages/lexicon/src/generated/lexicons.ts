/**
 * GENERATED CODE - DO NOT MODIFY
 */
import {
  type LexiconDoc,
  Lexicons,
  ValidationError,
  type ValidationResult,
} from '@atproto/lexicon'
import { type $Typed, is$typed, maybe$typed } from './util.js'

export const schemaDict = {
  AiDonottrainCheckSubjects: {
    lexicon: 1,
    id: 'ai.donottrain.checkSubjects',
    defs: {
      main: {
        type: 'procedure',
        description:
          'The getStatus answer for a batch of subjects, in input order. A subject that cannot be answered yields a subjectError in its place; the rest of the batch is still answered.',
        input: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['subjects'],
            properties: {
              subjects: {
                type: 'array',
                minLength: 1,
                maxLength: 1000,
                items: {
                  type: 'string',
                  maxLength: 8192,
                },
              },
              logProofs: {
                type: 'boolean',
                default: false,
                description:
                  "Also return each answer's log checkpoint and inclusion proofs (costs a proof per declaration).",
              },
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['results'],
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'union',
                  refs: [
                    'lex:ai.donottrain.defs#statusView',
                    'lex:ai.donottrain.defs#subjectError',
                  ],
                },
              },
            },
          },
        },
        errors: [
          {
            name: 'TooManySubjects',
            description: 'More than 1000 subjects in one call.',
          },
        ],
      },
    },
  },
  AiDonottrainDeclaration: {
    lexicon: 1,
    id: 'ai.donottrain.declaration',
    description:
      "A #donottrain declaration: the account owner's machine-readable statement of whether their content may be used to train or feed AI systems. It lives in the owner's own repository, so every declaration is signed by the repository commit that contains it.",
    defs: {
      main: {
        type: 'record',
        key: 'any',
        description:
          "One declaration. The record key 'self' holds the account-wide declaration (its scope must be #accountScope); any other record key (a TID is recommended) holds a scoped declaration (#recordScope, #collectionScope or #originScope), and an #accountScope under any key other than 'self' is invalid. Deleting the record revokes the declaration. When several declarations apply to the same content they are combined per purpose, most restrictively: any 'deny' wins, otherwise any 'allow', otherwise the purpose is 'unknown'.",
        record: {
          type: 'object',
          required: ['scope', 'preferences', 'createdAt'],
          properties: {
            scope: {
              type: 'union',
              refs: [
                'lex:ai.donottrain.declaration#accountScope',
                'lex:ai.donottrain.declaration#recordScope',
                'lex:ai.donottrain.declaration#collectionScope',
                'lex:ai.donottrain.declaration#originScope',
              ],
              description:
                "What content the declaration covers. The union is open: a reader that meets a scope type it does not know must ignore that declaration (it produces no verdict), not reject the account's other declarations.",
            },
            preferences: {
              type: 'ref',
              ref: 'lex:ai.donottrain.defs#preferences',
              description:
                "The owner's preference for each purpose of use. A purpose that is not present is 'unknown': the declaration says nothing about it.",
            },
            statement: {
              type: 'string',
              maxLength: 3000,
              maxGraphemes: 300,
              description:
                'Optional free-text statement shown to people, e.g. the reason or conditions. It is not machine-interpreted and never changes a verdict.',
            },
            licenseUri: {
              type: 'string',
              format: 'uri',
              maxLength: 2048,
              description:
                "Optional https URL where AI builders can ask for a licence or pay for use. It does not change a verdict: a 'deny' stays a 'deny' until the owner changes it.",
            },
            createdAt: {
              type: 'string',
              format: 'datetime',
              description:
                'Client-declared time the declaration was created or last changed. Informational: indexers order changes by repository revision, not by this field.',
            },
          },
        },
      },
      accountScope: {
        type: 'object',
        description:
          "Everything this account has published or will publish in its repository, in every collection. Web content outside the repository is covered only by #originScope. Only valid under record key 'self'.",
        properties: {},
      },
      recordScope: {
        type: 'object',
        description:
          "One record of this same account, e.g. one post. The strong reference pins the exact version (CID) the owner declared on; the declaration also applies to later versions of the record at the same URI. A subject in another account's repository is invalid and is ignored.",
        required: ['subject'],
        properties: {
          subject: {
            type: 'ref',
            ref: 'lex:com.atproto.repo.strongRef',
          },
        },
      },
      collectionScope: {
        type: 'object',
        description:
          'Every record of one collection of this account, e.g. all posts (app.bsky.feed.post) but not likes.',
        required: ['collection'],
        properties: {
          collection: {
            type: 'string',
            format: 'nsid',
          },
        },
      },
      originScope: {
        type: 'object',
        description:
          "Web content under one https origin the account controls. The origin must be exactly scheme and host (and optional port) with no path, e.g. 'https://example.com'. It is honoured only when verified: its host is the account's verified handle, or the origin serves the account's DID at /.well-known/atproto-did. Indexers report the binding as verified or unverified; an unverified origin never produces a verdict.",
        required: ['origin'],
        properties: {
          origin: {
            type: 'string',
            format: 'uri',
            maxLength: 2048,
          },
        },
      },
    },
  },
  AiDonottrainDefs: {
    lexicon: 1,
    id: 'ai.donottrain.defs',
    description:
      'Shared definitions of the #donottrain protocol: purposes of use, preferences, verdicts and the views an indexer returns.',
    defs: {
      preferences: {
        type: 'object',
        description:
          "A preference per purpose of use. Each field is 'allow' or 'deny'; a missing field, or a value this reader does not know, is 'unknown' (no statement). 'trainAi: deny' also denies the narrower 'trainGenai'.",
        properties: {
          trainAi: {
            type: 'string',
            knownValues: ['allow', 'deny'],
            maxLength: 32,
            description:
              'Training or fine-tuning any AI/ML model, including classifiers and embedding models. This is what a plain #donottrain denies.',
          },
          trainGenai: {
            type: 'string',
            knownValues: ['allow', 'deny'],
            maxLength: 32,
            description:
              'Training or fine-tuning generative models (text, image, audio, video generation). Narrower than trainAi.',
          },
          aiInput: {
            type: 'string',
            knownValues: ['allow', 'deny'],
            maxLength: 32,
            description:
              'Use as model input at inference time: retrieval-augmented generation, grounding, summaries, answers.',
          },
          search: {
            type: 'string',
            knownValues: ['allow', 'deny'],
            maxLength: 32,
            description: 'Search indexing that links back to the source.',
          },
        },
      },
      verdict: {
        type: 'object',
        description:
          "The combined answer for one subject, per purpose. Every declaration that applies to the subject (account-wide, then collection, then record, then origin) is combined most restrictively: any 'deny' wins, otherwise any 'allow', otherwise 'unknown'. A 'trainAi' deny counts as a 'trainGenai' deny.",
        required: ['trainAi', 'trainGenai', 'aiInput', 'search'],
        properties: {
          trainAi: {
            type: 'string',
            knownValues: ['allow', 'deny', 'unknown'],
          },
          trainGenai: {
            type: 'string',
            knownValues: ['allow', 'deny', 'unknown'],
          },
          aiInput: {
            type: 'string',
            knownValues: ['allow', 'deny', 'unknown'],
          },
          search: {
            type: 'string',
            knownValues: ['allow', 'deny', 'unknown'],
          },
        },
      },
      declarationView: {
        type: 'object',
        description:
          "One declaration as an indexer stored it, with where it came from. The record it names is signed by its author's repository commit; fetch the proof with ai.donottrain.getProof.",
        required: [
          'uri',
          'cid',
          'did',
          'source',
          'scope',
          'preferences',
          'rev',
          'indexedAt',
        ],
        properties: {
          uri: {
            type: 'string',
            format: 'at-uri',
          },
          cid: {
            type: 'string',
            format: 'cid',
          },
          did: {
            type: 'string',
            format: 'did',
          },
          source: {
            type: 'string',
            knownValues: [
              'declaration',
              'postTag',
              'profileTag',
              'userIntents',
              'preferenceAi',
            ],
            description:
              "The kind of record the declaration was read from: 'declaration' (an ai.donottrain.declaration record), 'postTag' (#donottrain in a post), 'profileTag' (#donottrain in the profile description), 'userIntents' (org.user-intents.demo.declaration), 'preferenceAi' (community.lexicon.preference.ai).",
          },
          scope: {
            type: 'union',
            refs: [
              'lex:ai.donottrain.declaration#accountScope',
              'lex:ai.donottrain.declaration#collectionScope',
              'lex:ai.donottrain.defs#recordTarget',
              'lex:ai.donottrain.declaration#originScope',
            ],
            description:
              'The scope, normalised across source kinds: account, collection and origin scopes as in ai.donottrain.declaration; a record scope as #recordTarget (its CID is present when the source pinned one).',
          },
          preferences: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#preferences',
          },
          originVerified: {
            type: 'boolean',
            description:
              'For an origin scope: whether the indexer verified that the origin belongs to the account. Unverified origins never produce a verdict.',
          },
          statement: {
            type: 'string',
            maxLength: 3000,
            maxGraphemes: 300,
          },
          licenseUri: {
            type: 'string',
            format: 'uri',
          },
          rev: {
            type: 'string',
            format: 'tid',
            description:
              'Repository revision of the commit that wrote this version.',
          },
          createdAt: {
            type: 'string',
            format: 'datetime',
          },
          indexedAt: {
            type: 'string',
            format: 'datetime',
          },
          leafIndex: {
            type: 'integer',
            minimum: 0,
            description:
              'Index of the transparency-log leaf that recorded this version, when the indexer keeps a log.',
          },
          logIndex: {
            type: 'integer',
            minimum: 0,
            description:
              'The transparency-log leaf of the change that wrote this version (see ai.donottrain.log.*).',
          },
        },
      },
      recordTarget: {
        type: 'object',
        description:
          'The record a record-scope declaration is about. The CID is the version the author pinned, when the source kind pins one (ai.donottrain.declaration does; a #donottrain post names itself).',
        required: ['uri'],
        properties: {
          uri: {
            type: 'string',
            format: 'at-uri',
          },
          cid: {
            type: 'string',
            format: 'cid',
          },
        },
      },
      subjectView: {
        type: 'object',
        description: 'How the indexer understood a subject string.',
        required: ['input', 'kind'],
        properties: {
          input: {
            type: 'string',
            maxLength: 8192,
          },
          kind: {
            type: 'string',
            knownValues: ['account', 'collection', 'record', 'blob', 'web'],
            description:
              "'account' (a DID, handle, at-uri of a repository or profile URL), 'collection' (an at-uri of one collection), 'record' (an at-uri or a bsky.app post URL), 'blob' (a Bluesky CDN image or video URL; the account that uploaded it), 'web' (any other https URL, matched against verified origin scopes).",
          },
          did: {
            type: 'string',
            format: 'did',
          },
          handle: {
            type: 'string',
            format: 'handle',
          },
          uri: {
            type: 'string',
            format: 'at-uri',
          },
          collection: {
            type: 'string',
            format: 'nsid',
          },
          origin: {
            type: 'string',
            format: 'uri',
          },
        },
      },
      renderings: {
        type: 'object',
        description:
          'The verdict rendered in the formats the wider ecosystem reads. Each is derived from the verdict alone, by the mapping table documented with the indexer.',
        required: ['contentUsage', 'contentSignal', 'tdmReservation', 'robots'],
        properties: {
          contentUsage: {
            type: 'string',
            description:
              "IETF AIPREF Content-Usage header value, e.g. 'train-ai=n, search=y'.",
          },
          contentSignal: {
            type: 'string',
            description:
              "Cloudflare Content-Signal value, e.g. 'ai-train=no, search=yes'.",
          },
          tdmReservation: {
            type: 'integer',
            minimum: 0,
            maximum: 1,
            description:
              'W3C TDMRep tdm-reservation: 1 when text-and-data mining rights are reserved.',
          },
          robots: {
            type: 'string',
            description:
              "Robots meta directives, e.g. 'noai, noimageai'; empty when nothing is denied.",
          },
        },
      },
      statusView: {
        type: 'object',
        description:
          'The status of one subject: the verdict, the declarations it came from, and its renderings.',
        required: ['subject', 'verdict', 'declarations', 'renderings'],
        properties: {
          subject: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#subjectView',
          },
          verdict: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#verdict',
          },
          declarations: {
            type: 'array',
            maxLength: 1000,
            items: {
              type: 'ref',
              ref: 'lex:ai.donottrain.defs#declarationView',
            },
          },
          renderings: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#renderings',
          },
          accountActive: {
            type: 'boolean',
            description:
              'False when the account is deactivated or taken down; its declarations stay in force.',
          },
          checkpoint: {
            type: 'ref',
            ref: 'lex:ai.donottrain.log.defs#checkpointView',
            description:
              'The signed log checkpoint the inclusion proofs lead to.',
          },
          inclusions: {
            type: 'array',
            maxLength: 1000,
            items: {
              type: 'ref',
              ref: 'lex:ai.donottrain.log.defs#inclusionProof',
            },
            description:
              'For each listed declaration with a logIndex the checkpoint covers, the proof that its leaf is in the log.',
          },
          at: {
            type: 'string',
            format: 'datetime',
            description:
              'Set when the answer is for a past time (getStatus?at=): the state the log held at the checkpoint that covered it.',
          },
        },
      },
      subjectError: {
        type: 'object',
        description:
          'A subject in a batch that could not be answered. The rest of the batch is still answered.',
        required: ['input', 'error'],
        properties: {
          input: {
            type: 'string',
            maxLength: 8192,
          },
          error: {
            type: 'string',
            knownValues: ['InvalidSubject', 'UnresolvableSubject'],
          },
          message: {
            type: 'string',
            maxLength: 1000,
          },
        },
      },
      declarationChange: {
        type: 'object',
        description:
          "One change to the set of declarations, in index order. 'create' and 'update' carry the new version; 'delete' is a tombstone for a revoked declaration; 'hide' and 'restore' follow account deactivation and reactivation; 'purge' follows account deletion.",
        required: ['seq', 'kind', 'did', 'indexedAt'],
        properties: {
          seq: {
            type: 'integer',
            minimum: 0,
            description: 'Position in the index order; cursors refer to it.',
          },
          kind: {
            type: 'string',
            knownValues: [
              'create',
              'update',
              'delete',
              'hide',
              'restore',
              'purge',
            ],
          },
          did: {
            type: 'string',
            format: 'did',
          },
          uri: {
            type: 'string',
            format: 'at-uri',
          },
          cid: {
            type: 'string',
            format: 'cid',
          },
          rev: {
            type: 'string',
            format: 'tid',
          },
          indexedAt: {
            type: 'string',
            format: 'datetime',
          },
          declaration: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#declarationView',
          },
        },
      },
    },
  },
  AiDonottrainGetProof: {
    lexicon: 1,
    id: 'ai.donottrain.getProof',
    defs: {
      main: {
        type: 'query',
        description:
          "The stored proof of a declaration as a CAR file: the signed commit (the CAR root), the MST nodes on the path to the record, and the record block. Verifiable offline against the author's DID document.",
        parameters: {
          type: 'params',
          required: ['uri'],
          properties: {
            uri: {
              type: 'string',
              format: 'at-uri',
              description: "The declaration's at-uri.",
            },
          },
        },
        output: {
          encoding: 'application/vnd.ipld.car',
        },
        errors: [
          {
            name: 'DeclarationNotFound',
            description:
              'The indexer holds no current declaration at that URI.',
          },
        ],
      },
    },
  },
  AiDonottrainGetStatus: {
    lexicon: 1,
    id: 'ai.donottrain.getStatus',
    defs: {
      main: {
        type: 'query',
        description:
          "May I train on this? The verdict per purpose for one subject, every declaration it came from, and its renderings. Answers 'unknown' for purposes nobody declared; an account without declarations is not an error.",
        parameters: {
          type: 'params',
          required: ['subject'],
          properties: {
            subject: {
              type: 'string',
              maxLength: 8192,
              description:
                'A DID, handle, at-uri, https://bsky.app profile or post URL, Bluesky CDN image/video URL, or any other https URL.',
            },
            at: {
              type: 'string',
              format: 'datetime',
              description:
                'Answer as of this time, from the transparency log: the declarations in effect at the newest checkpoint made at or before it.',
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#statusView',
          },
        },
        errors: [
          {
            name: 'InvalidSubject',
            description:
              'The subject is not a DID, handle, at-uri or https URL.',
          },
          {
            name: 'UnresolvableSubject',
            description:
              'The subject names a handle or account that could not be resolved.',
          },
          {
            name: 'NoCheckpoint',
            description: 'No checkpoint was made at or before `at`.',
          },
        ],
      },
    },
  },
  AiDonottrainListDeclarations: {
    lexicon: 1,
    id: 'ai.donottrain.listDeclarations',
    defs: {
      main: {
        type: 'query',
        description:
          'The feed of declaration changes in index order: creates, updates, revocations (as tombstones) and account hides, restores and purges. Page through it with the returned cursor; a missing cursor in the answer means the end of the feed for now.',
        parameters: {
          type: 'params',
          properties: {
            cursor: {
              type: 'string',
              maxLength: 64,
              description: 'Opaque cursor from a previous page.',
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: 1000,
              default: 100,
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['changes'],
            properties: {
              cursor: {
                type: 'string',
                maxLength: 64,
              },
              changes: {
                type: 'array',
                items: {
                  type: 'ref',
                  ref: 'lex:ai.donottrain.defs#declarationChange',
                },
              },
            },
          },
        },
        errors: [
          {
            name: 'InvalidCursor',
            description: 'The cursor was not produced by this indexer.',
          },
        ],
      },
    },
  },
  AiDonottrainLogDefs: {
    lexicon: 1,
    id: 'ai.donottrain.log.defs',
    description:
      "The indexer's transparency log: an RFC 9162 Merkle tree with one leaf per accepted change, and C2SP tlog-checkpoint signed notes over it. Hashes are standard base64 (RFC 4648 with padding), as in C2SP.",
    defs: {
      checkpointView: {
        type: 'object',
        description: 'A signed checkpoint of the log.',
        required: [
          'origin',
          'size',
          'rootHash',
          'note',
          'verifierKey',
          'createdAt',
        ],
        properties: {
          origin: {
            type: 'string',
            maxLength: 256,
            description: "The log's origin line (its unique name).",
          },
          size: {
            type: 'integer',
            minimum: 0,
            description: 'Number of leaves the checkpoint covers.',
          },
          rootHash: {
            type: 'string',
            maxLength: 64,
            description: 'RFC 9162 root hash, base64.',
          },
          note: {
            type: 'string',
            maxLength: 8192,
            description:
              'The whole C2SP signed note: checkpoint text, blank line, Ed25519 signature line(s).',
          },
          verifierKey: {
            type: 'string',
            maxLength: 512,
            description:
              "The C2SP note verifier key (name+keyid+base64(0x01 || ed25519 public key)); the same key as the indexer's did:web Multikey.",
          },
          createdAt: {
            type: 'string',
            format: 'datetime',
          },
        },
      },
      entry: {
        type: 'object',
        description:
          'One leaf of the log: a change, as canonical DAG-CBOR {seq, did, collection, rkey, cid, rev, kind, indexedAt} (absent values are null).',
        required: [
          'index',
          'leaf',
          'leafHash',
          'seq',
          'did',
          'kind',
          'indexedAt',
        ],
        properties: {
          index: {
            type: 'integer',
            minimum: 0,
          },
          leaf: {
            type: 'string',
            maxLength: 4096,
            description: 'The leaf bytes (the DAG-CBOR), base64.',
          },
          leafHash: {
            type: 'string',
            maxLength: 64,
            description: 'SHA-256(0x00 || leaf), base64.',
          },
          seq: {
            type: 'integer',
            minimum: 0,
            description: "The change's seq in the declarations feed.",
          },
          did: {
            type: 'string',
            format: 'did',
          },
          collection: {
            type: 'string',
            format: 'nsid',
          },
          rkey: {
            type: 'string',
            format: 'record-key',
          },
          cid: {
            type: 'string',
            format: 'cid',
          },
          rev: {
            type: 'string',
            format: 'tid',
          },
          kind: {
            type: 'string',
            knownValues: [
              'create',
              'update',
              'delete',
              'hide',
              'restore',
              'purge',
            ],
          },
          indexedAt: {
            type: 'string',
            format: 'datetime',
          },
        },
      },
      inclusionProof: {
        type: 'object',
        description:
          'An RFC 9162 inclusion proof of one leaf in the tree of treeSize leaves.',
        required: ['leafIndex', 'treeSize', 'leafHash', 'hashes'],
        properties: {
          leafIndex: {
            type: 'integer',
            minimum: 0,
          },
          treeSize: {
            type: 'integer',
            minimum: 1,
          },
          leafHash: {
            type: 'string',
            maxLength: 64,
          },
          hashes: {
            type: 'array',
            maxLength: 64,
            items: {
              type: 'string',
              maxLength: 64,
            },
          },
        },
      },
    },
  },
  AiDonottrainLogGetCheckpoint: {
    lexicon: 1,
    id: 'ai.donottrain.log.getCheckpoint',
    defs: {
      main: {
        type: 'query',
        description:
          "The newest signed checkpoint of the transparency log. Verify its signature with the key in the indexer's did:web document, and its consistency with any checkpoint seen before (getConsistencyProof).",
        output: {
          encoding: 'application/json',
          schema: {
            type: 'ref',
            ref: 'lex:ai.donottrain.log.defs#checkpointView',
          },
        },
        errors: [
          {
            name: 'NoCheckpoint',
            description: 'The log has no checkpoint yet.',
          },
        ],
      },
    },
  },
  AiDonottrainLogGetConsistencyProof: {
    lexicon: 1,
    id: 'ai.donottrain.log.getConsistencyProof',
    defs: {
      main: {
        type: 'query',
        description:
          'An RFC 9162 consistency proof between two tree sizes: proves the tree of `second` leaves extends the tree of `first` leaves (the log only grew).',
        parameters: {
          type: 'params',
          required: ['first', 'second'],
          properties: {
            first: {
              type: 'integer',
              minimum: 1,
            },
            second: {
              type: 'integer',
              minimum: 1,
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['first', 'second', 'hashes'],
            properties: {
              first: {
                type: 'integer',
              },
              second: {
                type: 'integer',
              },
              hashes: {
                type: 'array',
                maxLength: 128,
                items: {
                  type: 'string',
                  maxLength: 64,
                },
              },
            },
          },
        },
        errors: [
          {
            name: 'InvalidRange',
            description: 'first is greater than second.',
          },
          {
            name: 'TreeSizeTooLarge',
            description: "second is beyond the log's size.",
          },
        ],
      },
    },
  },
  AiDonottrainLogGetEntries: {
    lexicon: 1,
    id: 'ai.donottrain.log.getEntries',
    defs: {
      main: {
        type: 'query',
        description:
          'Leaves of the log from `start`, in order, at most `limit`. A monitor replays them to recompute the tree.',
        parameters: {
          type: 'params',
          properties: {
            start: {
              type: 'integer',
              minimum: 0,
              default: 0,
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: 1000,
              default: 100,
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['entries'],
            properties: {
              entries: {
                type: 'array',
                items: {
                  type: 'ref',
                  ref: 'lex:ai.donottrain.log.defs#entry',
                },
              },
            },
          },
        },
      },
    },
  },
  AiDonottrainLogGetInclusionProof: {
    lexicon: 1,
    id: 'ai.donottrain.log.getInclusionProof',
    defs: {
      main: {
        type: 'query',
        description:
          "An inclusion proof of one leaf, named by index or by leaf hash, in the tree of treeSize leaves (default: the newest checkpoint's size). Also given as portable C2SP tlog-proof text when the tree size is a checkpoint's.",
        parameters: {
          type: 'params',
          properties: {
            index: {
              type: 'integer',
              minimum: 0,
            },
            leafHash: {
              type: 'string',
              maxLength: 64,
              description: 'base64 SHA-256 leaf hash',
            },
            treeSize: {
              type: 'integer',
              minimum: 1,
            },
          },
        },
        output: {
          encoding: 'application/json',
          schema: {
            type: 'object',
            required: ['proof'],
            properties: {
              proof: {
                type: 'ref',
                ref: 'lex:ai.donottrain.log.defs#inclusionProof',
              },
              tlogProof: {
                type: 'string',
                maxLength: 16384,
                description:
                  'C2SP tlog-proof text (with the signed checkpoint).',
              },
            },
          },
        },
        errors: [
          {
            name: 'LeafNotFound',
            description:
              'No leaf has that hash, or the index is not below the tree size.',
          },
          {
            name: 'TreeSizeTooLarge',
            description: "The tree size is beyond the log's size.",
          },
          {
            name: 'NoCheckpoint',
            description:
              'No tree size given and the log has no checkpoint yet.',
          },
        ],
      },
    },
  },
  AiDonottrainSubscribeDeclarations: {
    lexicon: 1,
    id: 'ai.donottrain.subscribeDeclarations',
    defs: {
      main: {
        type: 'subscription',
        description:
          'The listDeclarations feed as a live stream, for crawler mirrors. With a cursor, replays every change after it, then continues live. A consumer that falls too far behind is sent a ConsumerTooSlow error and disconnected; it resumes from its last seq.',
        parameters: {
          type: 'params',
          properties: {
            cursor: {
              type: 'integer',
              minimum: 0,
              description:
                'The last seq the consumer has; the stream starts after it.',
            },
          },
        },
        message: {
          schema: {
            type: 'union',
            refs: [
              'lex:ai.donottrain.subscribeDeclarations#change',
              'lex:ai.donottrain.subscribeDeclarations#info',
            ],
          },
        },
        errors: [
          {
            name: 'FutureCursor',
            description: "The cursor is ahead of the indexer's newest change.",
          },
          {
            name: 'ConsumerTooSlow',
            description: 'The consumer did not keep up and was disconnected.',
          },
        ],
      },
      change: {
        type: 'object',
        required: ['change'],
        properties: {
          change: {
            type: 'ref',
            ref: 'lex:ai.donottrain.defs#declarationChange',
          },
        },
      },
      info: {
        type: 'object',
        required: ['name'],
        properties: {
          name: {
            type: 'string',
            knownValues: ['OutdatedCursor'],
          },
          message: {
            type: 'string',
          },
        },
      },
    },
  },
  ComAtprotoRepoStrongRef: {
    lexicon: 1,
    id: 'com.atproto.repo.strongRef',
    description:
      'A URI with a content-hash fingerprint. Copied verbatim from the atproto lexicons so that ai.donottrain schemas that reference it can be validated and generated offline.',
    defs: {
      main: {
        type: 'object',
        required: ['uri', 'cid'],
        properties: {
          uri: {
            type: 'string',
            format: 'at-uri',
          },
          cid: {
            type: 'string',
            format: 'cid',
          },
        },
      },
    },
  },
  CommunityLexiconPreferenceAi: {
    lexicon: 1,
    id: 'community.lexicon.preference.ai',
    description:
      'Copy of the community lexicon for AI-use preferences, kept so that the donottrain indexer can validate the records it reads. Not authored by donottrain; the mapping to donottrain purposes is documented in the indexer.',
    defs: {
      main: {
        type: 'record',
        key: 'any',
        description:
          'AI-use preferences for an account, one of its records, or one of its collections.',
        record: {
          type: 'object',
          required: ['scope', 'preferences', 'updatedAt'],
          properties: {
            scope: {
              type: 'union',
              refs: [
                'lex:community.lexicon.preference.ai#global',
                'lex:community.lexicon.preference.ai#entity',
                'lex:community.lexicon.preference.ai#collection',
              ],
            },
            preferences: {
              type: 'ref',
              ref: 'lex:community.lexicon.preference.ai#preferences',
            },
            updatedAt: {
              type: 'string',
              format: 'datetime',
            },
          },
        },
      },
      global: {
        type: 'object',
        description: 'Applies to all content of the account.',
        properties: {},
      },
      entity: {
        type: 'object',
        description: 'Applies to one record.',
        required: ['uri'],
        properties: {
          uri: {
            type: 'string',
            format: 'at-uri',
          },
        },
      },
      collection: {
        type: 'object',
        description: 'Applies to every record of one collection.',
        required: ['nsid'],
        properties: {
          nsid: {
            type: 'string',
            format: 'nsid',
          },
        },
      },
      preferences: {
        type: 'object',
        properties: {
          training: {
            type: 'ref',
            ref: 'lex:community.lexicon.preference.ai#preference',
            description: 'Training AI models.',
          },
          inference: {
            type: 'ref',
            ref: 'lex:community.lexicon.preference.ai#preference',
            description: 'Use as input to AI models at inference time.',
          },
          syntheticContent: {
            type: 'ref',
            ref: 'lex:community.lexicon.preference.ai#preference',
            description: 'Generating synthetic content.',
          },
          embedding: {
            type: 'ref',
            ref: 'lex:community.lexicon.preference.ai#preference',
            description: 'Creating embeddings.',
          },
        },
      },
      preference: {
        type: 'object',
        required: ['allow'],
        properties: {
          allow: {
            type: 'boolean',
          },
          updatedAt: {
            type: 'string',
            format: 'datetime',
          },
        },
      },
    },
  },
  OrgUserIntentsDemoDeclaration: {
    lexicon: 1,
    id: 'org.user-intents.demo.declaration',
    description:
      'Copy of the demonstration lexicon of Bluesky proposal 0008 (Data Reuse User Intents), kept so that the donottrain indexer can validate the records it reads. Not authored by donottrain; the mapping to donottrain purposes is documented in the indexer.',
    defs: {
      main: {
        type: 'record',
        key: 'literal:self',
        description:
          "An account's declared intents about reuse of its public data. A missing intent, or one without 'allow', expresses no preference.",
        record: {
          type: 'object',
          required: ['updatedAt'],
          properties: {
            updatedAt: {
              type: 'string',
              format: 'datetime',
            },
            bulkDataset: {
              type: 'ref',
              ref: 'lex:org.user-intents.demo.declaration#intent',
              description: 'Bulk datasets and dataset snapshots.',
            },
            protocolBridging: {
              type: 'ref',
              ref: 'lex:org.user-intents.demo.declaration#intent',
              description: 'Bridging content to other protocols.',
            },
            publicAccessArchive: {
              type: 'ref',
              ref: 'lex:org.user-intents.demo.declaration#intent',
              description: 'Public archiving and preservation.',
            },
            syntheticContentGeneration: {
              type: 'ref',
              ref: 'lex:org.user-intents.demo.declaration#intent',
              description: 'Training generative AI models.',
            },
          },
        },
      },
      intent: {
        type: 'object',
        required: ['updatedAt'],
        properties: {
          allow: {
            type: 'boolean',
          },
          updatedAt: {
            type: 'string',
            format: 'datetime',
          },
        },
      },
    },
  },
} as const satisfies Record<string, LexiconDoc>
export const schemas = Object.values(schemaDict) satisfies LexiconDoc[]
export const lexicons: Lexicons = new Lexicons(schemas)

export function validate<T extends { $type: string }>(
  v: unknown,
  id: string,
  hash: string,
  requiredType: true,
): ValidationResult<T>
export function validate<T extends { $type?: string }>(
  v: unknown,
  id: string,
  hash: string,
  requiredType?: false,
): ValidationResult<T>
export function validate(
  v: unknown,
  id: string,
  hash: string,
  requiredType?: boolean,
): ValidationResult {
  return (requiredType ? is$typed : maybe$typed)(v, id, hash)
    ? lexicons.validate(`${id}#${hash}`, v)
    : {
        success: false,
        error: new ValidationError(
          `Must be an object with "${hash === 'main' ? id : `${id}#${hash}`}" $type property`,
        ),
      }
}

export const ids = {
  AiDonottrainCheckSubjects: 'ai.donottrain.checkSubjects',
  AiDonottrainDeclaration: 'ai.donottrain.declaration',
  AiDonottrainDefs: 'ai.donottrain.defs',
  AiDonottrainGetProof: 'ai.donottrain.getProof',
  AiDonottrainGetStatus: 'ai.donottrain.getStatus',
  AiDonottrainListDeclarations: 'ai.donottrain.listDeclarations',
  AiDonottrainLogDefs: 'ai.donottrain.log.defs',
  AiDonottrainLogGetCheckpoint: 'ai.donottrain.log.getCheckpoint',
  AiDonottrainLogGetConsistencyProof: 'ai.donottrain.log.getConsistencyProof',
  AiDonottrainLogGetEntries: 'ai.donottrain.log.getEntries',
  AiDonottrainLogGetInclusionProof: 'ai.donottrain.log.getInclusionProof',
  AiDonottrainSubscribeDeclarations: 'ai.donottrain.subscribeDeclarations',
  ComAtprotoRepoStrongRef: 'com.atproto.repo.strongRef',
  CommunityLexiconPreferenceAi: 'community.lexicon.preference.ai',
  OrgUserIntentsDemoDeclaration: 'org.user-intents.demo.declaration',
} as const
