/** GET /v1/whoami: the presented key's name and scopes, so a client (the console) knows what it may do. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';

const whoamiBody = z
  .object({
    /** The name given when the key was created. */
    name: z.string(),
    /** What the key may do: read, write (which includes read), ingest. */
    scopes: z.array(z.string()),
    /** The key's first characters, as `rootaudit api-key list` shows them. */
    prefix: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'WhoAmI' });

export async function whoamiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/whoami',
    {
      schema: {
        tags: ['keys'],
        summary: 'The API key of this request: its name and scopes',
        security: [{ apiKey: [] }],
        response: { 200: whoamiBody, 401: errorBody },
      },
    },
    async (request) => {
      // The auth plugin set it, or refused the request before the handler.
      const key = request.apiKey!;
      return {
        name: key.name,
        scopes: key.scopes,
        prefix: key.prefix,
        createdAt: key.createdAt.toISOString(),
      };
    },
  );
}
