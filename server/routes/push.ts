/**
 * Web Push subscriptions (docs/CONTRACT-EXTENSIONS.md, "Push notifications"):
 * the server's public key, and a phone's subscription with its choices.
 * Behind the auth guard: a subscription belongs to the token that sent it and
 * dies with it. Read-only tokens may subscribe (an observer may want to hear
 * of a SEV1); nothing here writes an event.
 */
import type { FastifyInstance } from 'fastify'
import {
  PushKeyAnswerSchema,
  PushSubscribeBodySchema,
  PushSubscribedSchema,
  PushUnsubscribeBodySchema,
  PushUnsubscribedSchema,
} from '../../src/domain/push-wire'
import { ApiError } from '../http/errors'
import { ERROR_RESPONSES, type ValibotTypeProvider } from '../http/valibot'
import { isAllowedEndpoint } from '../push/endpoints'
import type { PushStore } from '../store/types'

/** What the push routes need: where subscriptions are kept, the key phones subscribe with, the hosts allowed. */
export interface PushRoutesOptions {
  store: PushStore
  /** The VAPID public key (base64url) phones subscribe with. */
  publicKey: string
  /** Push service hosts the server sends to (push/endpoints.ts). */
  endpointHosts: readonly string[]
  now?: () => number
}

/** `GET /api/push/key`, `POST /api/push/subscriptions`, `POST /api/push/subscriptions/remove`; register behind the auth guard. */
export async function pushRoutes(app: FastifyInstance, options: PushRoutesOptions): Promise<void> {
  const { store, publicKey, endpointHosts } = options
  const now = options.now ?? Date.now
  const api = app.withTypeProvider<ValibotTypeProvider>()

  api.get('/api/push/key', { schema: { response: { 200: PushKeyAnswerSchema, ...ERROR_RESPONSES } } }, async () => ({
    publicKey,
  }))

  api.post(
    '/api/push/subscriptions',
    { schema: { body: PushSubscribeBodySchema, response: { 200: PushSubscribedSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const { endpoint, keys, person, topics } = request.body
      if (!isAllowedEndpoint(endpoint, endpointHosts))
        throw new ApiError(
          400,
          'bad_request',
          'endpoint must be an https URL of a browser push service this server sends to (PUSH_ENDPOINT_HOSTS)',
        )
      await store.savePushSubscription(
        {
          endpoint,
          tokenId: request.token!.id,
          p256dh: keys.p256dh,
          auth: keys.auth,
          person: person.id ? { id: person.id, name: person.name } : { name: person.name },
          topics,
        },
        new Date(now()).toISOString(),
      )
      return { topics }
    },
  )

  api.post(
    '/api/push/subscriptions/remove',
    { schema: { body: PushUnsubscribeBodySchema, response: { 200: PushUnsubscribedSchema, ...ERROR_RESPONSES } } },
    async (request) => ({ removed: await store.deletePushSubscription(request.body.endpoint, request.token!.id) }),
  )
}
