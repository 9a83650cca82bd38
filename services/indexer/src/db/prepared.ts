import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely'

/** A parameter's place in a query built once with placeholders. */
class Slot {
  constructor(readonly index: number) {}
}

interface Template {
  sql: string
  /** Per compiled parameter: the index of the caller's parameter, or a constant of the query. */
  params: Array<Slot | { value: unknown }>
}

type Conn<DB> = Kysely<DB> | Transaction<DB>

/**
 * A query of the hot path built and compiled by Kysely once per database (its SQL differs by
 * dialect), then run with new parameters: building and compiling a query costs more than
 * running most of ours. `build` is called once with placeholders standing for the parameters,
 * so it must pass each one to Kysely as a plain value (no branching on it, no `sql` fragments
 * made of it).
 */
export class PreparedQuery<DB, P extends readonly unknown[], R> {
  private readonly templates = new WeakMap<object, Template>()

  constructor(
    private readonly arity: P['length'],
    private readonly build: (db: Conn<DB>, ...params: P) => Compilable<R>,
  ) {}

  async execute(db: Conn<DB>, ...params: P): Promise<QueryResult<R>> {
    const template = this.template(db)
    const values = template.params.map((p) => (p instanceof Slot ? params[p.index] : p.value))
    return db.executeQuery(CompiledQuery.raw(template.sql, values) as CompiledQuery<R>)
  }

  async rows(db: Conn<DB>, ...params: P): Promise<R[]> {
    return (await this.execute(db, ...params)).rows
  }

  async first(db: Conn<DB>, ...params: P): Promise<R | undefined> {
    return (await this.execute(db, ...params)).rows[0]
  }

  private template(db: Conn<DB>): Template {
    // One adapter per Kysely instance, shared by its transactions.
    const key = db.getExecutor().adapter
    let template = this.templates.get(key)
    if (template === undefined) {
      const slots = Array.from({ length: this.arity }, (_, i) => new Slot(i)) as unknown as P
      const compiled = this.build(db, ...slots).compile()
      const params = compiled.parameters.map((v) => (v instanceof Slot ? v : { value: v }))
      const used = new Set(params.filter((p) => p instanceof Slot).map((p) => (p as Slot).index))
      if (used.size !== this.arity) throw new Error(`prepared query uses ${used.size} of ${this.arity} parameters`)
      template = { sql: compiled.sql, params }
      this.templates.set(key, template)
    }
    return template
  }
}
