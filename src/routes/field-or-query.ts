import { ApiError } from '../errors.ts';

/** The values of a per-image parameter: its multipart fields, or else its query parameters (400 when both are sent). */
export function fieldOrQuery(form: FormData, query: string[], field: string): (string | File)[] {
  const fields = form.getAll(field);
  if (fields.length > 0 && query.length > 0) {
    throw new ApiError(400, 'bad_request', `Send "${field}" as a form field or as a query parameter, not both`);
  }
  return fields.length > 0 ? fields : query;
}
