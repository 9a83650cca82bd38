// Placeholder until the indexer ingest issue lands: `npm start` runs this file.
process.stderr.write('donottrain indexer: not implemented yet — the firehose indexer lands with the ingest issue\n')
process.exitCode = 1
