import { describe, expect, it } from 'vitest';
import { composeVerificationMessage } from './verification-message';

const MAIL = {
  to: 'ann@example.com',
  code: '123456',
  validMinutes: 10,
  purpose: 'Looking up your order',
};

describe('the verification mail', () => {
  it('says the code, how long it lasts, and what to do if it was not asked for', () => {
    const message = composeVerificationMessage({ ...MAIL, toName: 'Ann' });
    expect(message.subject).toBe('Your verification code');
    expect(message.text).toBe(
      'Hello Ann,\n\nYour verification code is 123456. It expires in 10 minutes. If you did not ask for it, ignore this email.\n\nWhat it is for: Looking up your order\n',
    );
    expect(message.html).toContain('<strong');
    expect(message.html).toContain('123456</strong>. It expires in 10 minutes.');
  });

  it('keeps the code out of the subject, which lock screens show', () => {
    expect(composeVerificationMessage(MAIL).subject).not.toContain('123456');
  });

  it('greets without a name when there is none, and counts one minute right', () => {
    const message = composeVerificationMessage({ ...MAIL, validMinutes: 1 });
    expect(message.text).toMatch(/^Hello,\n/);
    expect(message.text).toContain('It expires in 1 minute.');
  });

  it('escapes the name and the purpose in the HTML part', () => {
    const message = composeVerificationMessage({
      ...MAIL,
      toName: '<img src=x onerror=alert(1)> & "Ann"',
      purpose: '<a href="https://evil.test">Click</a>',
    });
    expect(message.html).not.toContain('<img');
    expect(message.html).not.toContain('<a href');
    expect(message.html).toContain(
      'Hello &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Ann&quot;,',
    );
    expect(message.html).toContain('&lt;a href=&quot;https://evil.test&quot;&gt;Click&lt;/a&gt;');
    // The plain-text part is text: the name as given.
    expect(message.text).toContain('Hello <img src=x onerror=alert(1)> & "Ann",');
  });
});
