import type { ApiPropertyOptions } from '@nestjs/swagger';

/** Schemas for JSON values the GraphQL side types as the JSON scalar, reused by the REST response classes. */
export const ANY_JSON: ApiPropertyOptions = { type: 'object', additionalProperties: true, description: 'a JSON value' };
export const JSON_OBJECT: ApiPropertyOptions = { type: 'object', additionalProperties: true };
/** A tensor's dimensions: numbers, symbolic names, or null when unknown. */
export const DIMS: ApiPropertyOptions = { type: 'array', nullable: true, items: { oneOf: [{ type: 'integer' }, { type: 'string' }] } };
/** `{ <input name>: { shape, type, fill, assumed? } }`: the inputs a measurement or evaluation ran with. */
export const INPUT_SHAPES: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  additionalProperties: {
    type: 'object',
    required: ['shape', 'type', 'fill'],
    properties: {
      shape: { type: 'array', items: { type: 'integer' } },
      type: { type: 'string' },
      fill: { type: 'string' },
      assumed: { type: 'array', items: { type: 'string' } },
    },
  },
};
