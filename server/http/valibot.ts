/**
 * Fastify speaks valibot: routes declare the wire schemas of src/domain/wire.ts
 * in `schema` (body, querystring, response) and get typed, validated requests.
 * Requests are always validated; answers only when `checkResponses` is set
 * (the server's tests), so production only pays for JSON.stringify, as before.
 */
import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify'
import * as v from 'valibot'
import { describeIssue } from '../../src/domain/events'
import { ErrorBodySchema } from '../../src/domain/wire'
import { ApiError } from './errors'

type AnySchema = v.GenericSchema

/** Request and reply types inferred from the route's valibot schemas. */
export interface ValibotTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends AnySchema ? v.InferOutput<this['schema']> : unknown
  serializer: this['schema'] extends AnySchema ? v.InferInput<this['schema']> : unknown
}

/** Every route's error answers, so `checkResponses` checks them too. */
export const ERROR_RESPONSES = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } as const

/**
 * The contract's answer to a request that does not match its schema: 413
 * too_large for too many entries (a `max_length` issue), 400 bad_request for
 * anything else, with the schema's message (which names the field).
 */
export function requestError(issues: readonly v.BaseIssue<unknown>[]): ApiError {
  const first = issues[0]
  if (first?.type === 'max_length') return new ApiError(413, 'too_large', first.message)
  return new ApiError(400, 'bad_request', first?.message ?? 'the request is malformed')
}

/** Parse one value outside a route schema (a header, say); throws requestError's ApiError. */
export function parseRequestPart<S extends AnySchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (!result.success) throw requestError(result.issues)
  return result.output
}

/** Thrown while serialising an answer that does not match its schema (only under `checkResponses`). */
export class ResponseShapeError extends Error {
  constructor(route: string, issues: readonly v.BaseIssue<unknown>[]) {
    super(`${route} answered a body its wire schema refuses: ${describeIssue(issues[0])}`)
    this.name = 'ResponseShapeError'
  }
}

const validatorCompiler: FastifySchemaCompiler<AnySchema> =
  ({ schema }) =>
  (data) => {
    const result = v.safeParse(schema, data)
    // The parsed output replaces the request part: defaults filled in, numbers from digits.
    return result.success ? { value: result.output } : { error: requestError(result.issues) }
  }

function serializerCompiler(checkResponses: boolean): FastifySerializerCompiler<AnySchema> {
  return ({ schema, method, url, httpStatus }) => {
    if (!checkResponses) return (data) => JSON.stringify(data)
    return (data) => {
      const result = v.safeParse(schema, data)
      // Fastify turns this into a 500 (internal_error) and the error handler logs it.
      if (!result.success) throw new ResponseShapeError(`${method} ${url} (${httpStatus})`, result.issues)
      // What production would send: the data as given, not valibot's copy of it.
      return JSON.stringify(data)
    }
  }
}

/**
 * Install the valibot compilers on `app`; routes registered afterwards (in any
 * child plugin) inherit them. Routes without a schema are untouched.
 */
export function installValibot(app: FastifyInstance, options: { checkResponses?: boolean } = {}): void {
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler(options.checkResponses ?? false))
}
