import express, { type NextFunction, type Request, type Response } from 'express';
import { pathOfNulCharacter, WORKFLOW_LIMITS } from '@flowctl/core';

/**
 * What the API reads, per content type. YAML and JSON carry workflow
 * definitions: twice the largest the validator accepts, so the validator
 * (with its reason) rather than the parser answers a document just over it.
 * Any other type with a body is refused before a byte of it is read.
 */
export const BODY_LIMITS = {
  json: { types: ['application/json', 'application/*+json'], maxBytes: 2 * WORKFLOW_LIMITS.maxSourceBytes },
  yaml: {
    types: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'],
    maxBytes: 2 * WORKFLOW_LIMITS.maxSourceBytes,
  },
} as const;

const hasBody = (request: Request) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

export function requestBodyParsers() {
  const json = express.json({ type: [...BODY_LIMITS.json.types], limit: BODY_LIMITS.json.maxBytes, strict: false });
  const yaml = express.text({ type: [...BODY_LIMITS.yaml.types], limit: BODY_LIMITS.yaml.maxBytes });
  const known = [...BODY_LIMITS.json.types, ...BODY_LIMITS.yaml.types];
  const refuseOtherTypes = (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request) || request.is(known)) return next();
    response.status(415).json({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: `request body of type ${request.headers['content-type'] ?? '(none)'} is not accepted: send application/json or application/yaml`,
    });
  };
  return [refuseOtherTypes, json, yaml, refuseNulCharacters];
}

/**
 * PostgreSQL's text and jsonb cannot hold U+0000. Refused here with the place
 * it is in (the URL or a path in the body), so no handler meets it and
 * fails with a 500 at the insert. YAML escapes (`"\0"`) are caught when the
 * workflow is validated.
 */
function refuseNulCharacters(request: Request, response: Response, next: NextFunction) {
  const body: unknown = request.body;
  const where = /%00/i.test(request.url) ? 'the URL' : typeof body === 'object' && body !== null ? pathOfNulCharacter(body) : undefined;
  const inText = typeof body === 'string' && body.includes('\u0000');
  if (where === undefined && !inText) return next();
  response.status(400).json({
    statusCode: 400,
    error: 'Bad Request',
    message: `${where ?? 'the body'} contains the character U+0000, which cannot be stored`,
  });
}
