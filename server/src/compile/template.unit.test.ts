import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplateText, renderTemplateValue } from './template';
import type { ParsedTemplate } from './template';

function parsed(source: string): ParsedTemplate {
  const result = parseTemplate(source);
  if (!result.ok) throw new Error(`expected ${source} to parse: ${result.error.message}`);
  return result.value;
}

describe('parseTemplate', () => {
  it('splits text and references in order', () => {
    expect(parsed('/orders/{{inputs.order_id}}/lines').parts).toEqual([
      { kind: 'text', text: '/orders/' },
      { kind: 'ref', ref: { root: 'inputs', name: 'order_id', raw: '{{inputs.order_id}}' } },
      { kind: 'text', text: '/lines' },
    ]);
  });

  it('allows spaces inside the braces', () => {
    expect(parsed('{{ secrets.API_TOKEN }}').singleRef).toEqual({
      root: 'secrets',
      name: 'API_TOKEN',
      raw: '{{ secrets.API_TOKEN }}',
    });
  });

  it('marks a template that is exactly one reference as a single reference', () => {
    expect(parsed('{{inputs.count}}').singleRef?.name).toBe('count');
    expect(parsed('n={{inputs.count}}').singleRef).toBeUndefined();
    expect(parsed('{{inputs.a}}{{inputs.b}}').singleRef).toBeUndefined();
  });

  it('treats text without braces, and lone closing braces, as literal', () => {
    expect(parsed('plain }} text {').parts).toEqual([{ kind: 'text', text: 'plain }} text {' }]);
    expect(parsed('').parts).toEqual([]);
  });

  it.each([
    ['{{inputs.order_id', 'unclosed'],
    ['{{inputs}}', 'no name'],
    ['{{ inputs.a.b }}', 'nested path'],
    ['{{}}', 'empty'],
    ['{{{inputs.a}}}', 'triple braces'],
  ])('refuses the malformed reference %s (%s)', (source) => {
    const result = parseTemplate(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^malformed template reference/);
  });

  it('refuses an unknown root and names it', () => {
    const result = parseTemplate('{{ticket.subject}}');
    expect(result).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('unknown template root "ticket"') },
    });
  });
});

describe('renderTemplateText', () => {
  it('substitutes values and passes only them through the encoder', () => {
    const template = parsed('a/{{inputs.x}}/b');
    expect(renderTemplateText(template, { inputs: { x: 'c/d' } }, encodeURIComponent)).toBe(
      'a/c%2Fd/b',
    );
  });

  it('renders missing and null values as empty text, and objects as JSON', () => {
    const template = parsed('[{{inputs.missing}}|{{inputs.nothing}}|{{inputs.list}}]');
    expect(renderTemplateText(template, { inputs: { nothing: null, list: [1, 'a'] } })).toBe(
      '[||[1,"a"]]',
    );
  });

  it('does not read inherited properties', () => {
    expect(renderTemplateText(parsed('{{inputs.constructor}}'), { inputs: {} })).toBe('');
  });

  it('never expands a reference that arrives inside a value', () => {
    const template = parsed('{{inputs.a}}');
    expect(renderTemplateText(template, { inputs: { a: '{{inputs.b}}', b: 'leaked' } })).toBe(
      '{{inputs.b}}',
    );
  });
});

describe('renderTemplateValue', () => {
  it('keeps the type of a single reference', () => {
    const scope = { inputs: { n: 42, flag: false, obj: { a: 1 } } };
    expect(renderTemplateValue(parsed('{{inputs.n}}'), scope)).toBe(42);
    expect(renderTemplateValue(parsed('{{inputs.flag}}'), scope)).toBe(false);
    expect(renderTemplateValue(parsed('{{inputs.obj}}'), scope)).toEqual({ a: 1 });
  });

  it('renders a missing single reference as null, and mixed text as a string', () => {
    expect(renderTemplateValue(parsed('{{inputs.gone}}'), { inputs: {} })).toBeNull();
    expect(renderTemplateValue(parsed('#{{inputs.n}}'), { inputs: { n: 7 } })).toBe('#7');
  });
});
