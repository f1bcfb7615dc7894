import { describe, expect, it } from 'vitest';
import { humanizeName } from './humanize-name';

describe('humanizeName', () => {
  it.each([
    ['ticket_id', 'Ticket ID'],
    ['create_issue', 'Create issue'],
    ['after_create', 'After create'],
    ['issueKey', 'Issue key'],
    ['order-number', 'Order number'],
    ['url', 'URL'],
    ['_', '_'],
  ])('%s reads as %s', (name, label) => {
    expect(humanizeName(name)).toBe(label);
  });
});
