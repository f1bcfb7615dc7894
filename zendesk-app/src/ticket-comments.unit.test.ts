import { describe, expect, it } from 'vitest';
import { fetchComments, summarizeCommentBody } from './ticket-comments';
import type { IRequestOptions } from './zaf-client';

const page = {
  comments: [
    {
      id: 1,
      author_id: 101,
      body: 'Hi,\n\nwhere is my order #1001?',
      public: true,
      created_at: '2026-01-06T10:15:00Z',
    },
    {
      id: 2,
      author_id: 2,
      plain_body: 'Checking with the warehouse.',
      public: false,
      created_at: '2026-01-06T10:40:00Z',
    },
    { id: 3, author_id: 999, body: 'Any update?', created_at: '2026-01-07T09:05:00Z' },
  ],
  users: [{ id: 101, name: 'Maria Lopez' }],
};

describe('picking a comment', () => {
  it('lists comments newest first with author, time and first line', async () => {
    const sent: IRequestOptions[] = [];
    const result = await fetchComments(
      async (options) => (sent.push(options), page),
      7,
      new Map([[2, 'Alex Agent']]),
    );
    expect(sent).toEqual([
      { url: '/api/v2/tickets/7/comments.json?sort_order=desc&include=users', type: 'GET' },
    ]);
    expect(result).toEqual({
      ok: true,
      value: [
        {
          id: 3,
          authorName: 'User 999',
          createdAt: '2026-01-07T09:05:00Z',
          firstLine: 'Any update?',
          isPublic: true,
        },
        {
          id: 2,
          authorName: 'Alex Agent',
          createdAt: '2026-01-06T10:40:00Z',
          firstLine: 'Checking with the warehouse.',
          isPublic: false,
        },
        {
          id: 1,
          authorName: 'Maria Lopez',
          createdAt: '2026-01-06T10:15:00Z',
          firstLine: 'Hi,',
          isPublic: true,
        },
      ],
    });
  });

  it('shortens long first lines and collapses whitespace', () => {
    expect(summarizeCommentBody('\n\n  a   b\tc  \nsecond')).toBe('a b c');
    const long = summarizeCommentBody('x'.repeat(200), 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reports a failed or unreadable answer as an error value', async () => {
    expect(
      await fetchComments(async () => Promise.reject({ status: 0 }), 1, new Map()),
    ).toMatchObject({
      ok: false,
      error: { code: 'SERVER_UNREACHABLE' },
    });
    expect(await fetchComments(async () => ({ comments: 'nope' }), 1, new Map())).toMatchObject({
      ok: false,
      error: { code: 'RESPONSE_INVALID' },
    });
  });
});
