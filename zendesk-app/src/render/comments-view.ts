import type { ConnectorView } from '../../../shared/src/api/answer-schemas';
import type { CommentSummary } from '../ticket-comments';
import { STRINGS } from '../strings';
import { formatWhen, h } from './dom';

/** "Run on a comment": the comments as buttons, then the connectors that take one. */
export function renderCommentPicker(
  comments: readonly CommentSummary[],
  pickedId: number | undefined,
  onPick: (comment: CommentSummary) => void,
): HTMLElement {
  if (comments.length === 0) return h('p', { class: 'dc-muted' }, STRINGS.noComments);
  return h(
    'ul',
    {
      id: 'dc-comment-list',
      class: 'dc-comments',
      'aria-label': STRINGS.commentsLabel,
      'data-testid': 'comment-list',
    },
    comments.map((comment) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: `dc-comment${comment.id === pickedId ? ' dc-comment--picked' : ''}`,
          'aria-pressed': comment.id === pickedId ? 'true' : 'false',
          'data-testid': 'comment-option',
          'data-comment-id': comment.id,
        },
        h(
          'span',
          { class: 'dc-comment__meta' },
          STRINGS.commentBy(comment.authorName, formatWhen(comment.createdAt)),
          comment.isPublic
            ? null
            : h('span', { class: 'dc-badge dc-badge--note' }, STRINGS.internalNote),
        ),
        h('span', { class: 'dc-comment__text' }, comment.firstLine || STRINGS.noValue),
      );
      button.addEventListener('click', () => onPick(comment));
      return h('li', {}, button);
    }),
  );
}

export function renderCommentConnectors(
  comment: CommentSummary,
  connectors: readonly ConnectorView[],
  onRun: (connector: ConnectorView) => void,
): HTMLElement {
  if (connectors.length === 0) return h('p', { class: 'dc-muted' }, STRINGS.noCommentConnectors);
  return h(
    'div',
    { class: 'dc-comment-connectors', 'data-testid': 'comment-connectors' },
    h('p', { id: 'dc-comment-connectors-label' }, STRINGS.pickConnectorFor(comment.authorName)),
    h(
      'ul',
      { class: 'dc-plain-list', 'aria-labelledby': 'dc-comment-connectors-label' },
      connectors.map((connector) => {
        const button = h(
          'button',
          {
            type: 'button',
            class: 'dc-button dc-button--block',
            'data-testid': 'comment-connector',
            'data-connector-id': connector.id,
          },
          connector.name,
        );
        button.addEventListener('click', () => onRun(connector));
        return h('li', {}, button);
      }),
    ),
  );
}
