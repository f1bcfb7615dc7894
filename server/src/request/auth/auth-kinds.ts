import type {
  AuthKind,
  ConnectionAuth,
} from '../../../../shared/src/config/connector-config-schema';

/**
 * Each auth kind's shape is defined once, by the config schema (`ConnectionAuth`). What the
 * server adds per kind is here: which of its fields are templates (they may hold
 * `{{secrets.X}}`, are compiled when the config loads and rendered for each run). The compiled
 * and the rendered forms are derived from these two, so a new kind is its schema variant, its
 * line below, and its behaviour in create-auth-provider.ts.
 */
export const AUTH_TEMPLATE_FIELDS = {
  none: [],
  bearer: ['token'],
  basic: ['username', 'password'],
  apiKeyHeader: ['value'],
  oauth2ClientCredentials: ['clientId', 'clientSecret'],
  oauth2AuthorizationCode: ['clientId', 'clientSecret'],
  jwtBearer: ['issuer', 'subject', 'privateKey', 'keyId'],
} as const satisfies {
  [K in AuthKind]: readonly Exclude<keyof Extract<ConnectionAuth, { type: K }>, 'type'>[];
};

type TemplateField<K extends AuthKind> = (typeof AUTH_TEMPLATE_FIELDS)[K][number];

/** An auth whose template fields hold `T` (a parsed template, or the text it renders to). */
export type AuthWith<T> = {
  [K in AuthKind]: {
    [P in keyof Extract<ConnectionAuth, { type: K }>]: P extends TemplateField<K>
      ? T
      : Extract<ConnectionAuth, { type: K }>[P];
  };
}[AuthKind];

/** Applies `map` to each template field of `auth`, keeping the other fields as they are. */
export function mapAuthTemplates<From, To>(
  auth: AuthWith<From>,
  map: (value: From, field: string) => To,
): AuthWith<To> {
  const fields: readonly string[] = AUTH_TEMPLATE_FIELDS[auth.type];
  const mapped: Record<string, unknown> = { ...auth };
  for (const field of fields) {
    const value = (auth as Record<string, unknown>)[field];
    if (value !== undefined) mapped[field] = map(value as From, field);
  }
  // Only the listed template fields changed type, as AuthWith<To> says.
  return mapped as AuthWith<To>;
}
