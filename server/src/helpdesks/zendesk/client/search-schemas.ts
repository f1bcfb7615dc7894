import { z } from 'zod';

/**
 * Zendesk's search answers, as far as a backfill reads them: the ids of "Export Search Results"
 * (cursor pages) and the number of "Show Results Count". Loose: Zendesk adds fields freely.
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/
 */
export const searchExportPageSchema = z.looseObject({
  results: z.array(z.looseObject({ id: z.number().int().positive() })),
  meta: z.looseObject({
    has_more: z.boolean(),
    after_cursor: z.string().nullable(),
  }),
});

export const searchCountSchema = z.looseObject({ count: z.number().int().min(0) });
