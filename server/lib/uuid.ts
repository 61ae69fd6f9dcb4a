const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value from a URL or form can be a row id. Repositories ask before querying a
 * `uuid` column with it: PostgreSQL refuses a malformed uuid with an error (a 500), where the
 * right answer to a made-up id is "not found".
 */
export const isUuid = (value: string) => UUID.test(value);
