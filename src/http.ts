import type http from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Context } from './context';
import { BodyTooLargeError, ErrorCode } from './errors';
import type { Pipeline } from './pipeline';

/** Largest request body accepted; a GraphQL document with variables fits easily. */
export const MAX_BODY_BYTES = 1_000_000;

async function readBody(req: http.IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new BodyTooLargeError(MAX_BODY_BYTES);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A request the HTTP layer itself refuses: not JSON, a wrong method or content type, too big. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The body as Apollo Server takes it. A trusted document sent by id (`documentId`, as Hive
 * Gateway's clients send it) becomes the persisted-query extension Apollo resolves.
 */
function graphqlBody(req: http.IncomingMessage, text: string): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/graphql-response+json') {
    throw new BadRequest(
      400,
      'A GraphQL request is a POST with Content-Type: application/json, or a GET.',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest(400, 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest(
      400,
      'The request body must be one JSON object: {query, variables, operationName}.',
    );
  }
  const request = body as Record<string, unknown>;
  if (typeof request.documentId === 'string') {
    const sha256Hash = request.documentId.replace(/^sha256:/, '');
    const { documentId: _id, ...rest } = request;
    const extensions =
      typeof rest.extensions === 'object' && rest.extensions !== null ? rest.extensions : {};
    return { ...rest, extensions: { ...extensions, persistedQuery: { version: 1, sha256Hash } } };
  }
  return request;
}

/**
 * The GraphQL route: a thin adapter that reads the HTTP request, hands it to Apollo Server with
 * the pipeline's context, and writes Apollo's answer. Every policy decision is the pipeline's.
 */
export function createGraphQLHandler(apollo: ApolloServer<Context>, pipeline: Pipeline) {
  function refuse(
    res: http.ServerResponse,
    status: number,
    code: string,
    message: string,
    headers = {},
  ) {
    const error = new GraphQLError(message, { extensions: { code } });
    const body = { errors: [pipeline.formatError({ message, extensions: { code } }, error)] };
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  return async function handleGraphQL(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ) {
    const method = req.method ?? 'GET';
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let facts;
    try {
      facts = pipeline.facts(headers, req.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Bad request headers.';
      return refuse(res, 400, ErrorCode.BAD_USER_INPUT, message);
    }
    res.setHeader('x-request-id', facts.clientRequestId ?? facts.requestId);
    res.setHeader('x-gateway-request-id', facts.requestId);

    let body: unknown;
    try {
      if (method === 'POST') body = graphqlBody(req, await readBody(req));
      else if (method !== 'GET')
        throw new BadRequest(405, 'GraphQL is served by GET and POST.', { allow: 'GET, POST' });
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return refuse(res, 413, ErrorCode.BAD_REQUEST, error.message);
      if (error instanceof BadRequest)
        return refuse(res, error.status, ErrorCode.BAD_REQUEST, error.message, error.headers);
      throw error;
    }

    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => pipeline.contextFor(facts),
    });
    const out: Record<string, string> = {};
    for (const [key, value] of response.headers) out[key] = value;
    // An answer written while the server drains tells the client to go, whenever it arrived.
    const server = (req.socket as { server?: http.Server }).server;
    if (server && !server.listening) {
      res.shouldKeepAlive = false;
      out.connection = 'close';
    }
    res.writeHead(response.status ?? 200, out);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };
}
