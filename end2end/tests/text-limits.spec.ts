// Text is counted one way (what a reader sees as a character, line breaks
// as one) and nothing invisible passes for a message: in the hydrated
// composer, in its counter and in the plain form without JavaScript.
import { expect, test } from '@playwright/test';
import {
  closeAll,
  composer,
  composerReady,
  messageWithText,
  newNoJsPerson,
  newPerson,
  openThread,
  sql,
  startDirectChat,
  type Person,
} from './chat-support';

let me: Person;
let other: Person;
let thread: string;

test.afterEach(async () => {
  await closeAll(me, other);
});

test.describe('hydrated composer', () => {
  test.beforeEach(async ({ browser }) => {
    other = await newPerson(browser, 'txo');
    me = await newPerson(browser, 'txt');
    thread = await startDirectChat(me.page, other.name, 'hello text');
    await composerReady(me.page);
  });

  test('4,000 emoji can be typed and sent; the counter counts what the server counts', async () => {
    const page = me.page;
    const box = composer(page);
    const counter = page.getByTestId('counter');
    const send = page.getByTestId('composer').getByRole('button', { name: 'Send' });
    const messages = page.getByTestId('message');
    await expect(messages).toHaveCount(1);

    // Typed as a user (or an IME) would: the field must take all 4,000,
    // which are 8,000 UTF-16 units.
    await box.click();
    await page.keyboard.insertText('😀'.repeat(4000));
    await expect(box).toHaveValue('😀'.repeat(4000));
    await expect(counter).toHaveText('4000 / 4000');
    await expect(counter).not.toHaveClass(/\bover\b/);
    await expect(send).toBeEnabled();

    // One more is over: the counter says so and nothing can be sent.
    await page.keyboard.insertText('😀');
    await expect(counter).toHaveText('4001 / 4000');
    await expect(counter).toHaveClass(/\bover\b/);
    await expect(send).toBeDisabled();
    await box.press('Enter');
    await expect(box).toHaveValue('😀'.repeat(4001));
    await expect(messages).toHaveCount(1);

    // Back to 4,000 and sent: the server takes exactly what was counted.
    await page.keyboard.press('Backspace');
    await expect(counter).toHaveText('4000 / 4000');
    await box.press('Enter');
    await expect(box).toHaveValue('');
    await expect(counter).toHaveCount(0);
    await expect(messages).toHaveCount(2);
    await openThread(other.page, thread);
    await expect(messageWithText(other.page, '😀'.repeat(4000))).toBeVisible();
    const id = await other.page.getByTestId('message').last().getAttribute('data-id');
    expect(sql(`SELECT body = '${'😀'.repeat(4000)}' FROM messages WHERE id = ${Number(id)}`)).toBe('1');
  });

  test('an accent typed as a combining mark counts once', async () => {
    const page = me.page;
    const box = composer(page);
    const counter = page.getByTestId('counter');
    await box.click();
    await page.keyboard.insertText('e\u0301'.repeat(3600));
    await expect(counter).toHaveText('3600 / 4000');
    await page.keyboard.insertText('\n' + 'e\u0301'.repeat(398));
    // 3,600 + the line break + 398.
    await expect(counter).toHaveText('3999 / 4000');
  });

  test('a zero-width-only body cannot be sent', async () => {
    const page = me.page;
    const box = composer(page);
    const send = page.getByTestId('composer').getByRole('button', { name: 'Send' });
    const messages = page.getByTestId('message');
    await expect(messages).toHaveCount(1);

    for (const invisible of ['\u200B', '\u200D\u2060', '\uFEFF', '\u3164', ' \u200B\n\u2060 ']) {
      await box.fill(invisible);
      await expect(box).toHaveValue(invisible);
      await expect(send).toBeDisabled();
      await box.press('Enter');
      await expect(box).toHaveValue(invisible);
    }
    // One visible character among them is a message.
    await box.fill('\u200Bok\u200B');
    await expect(send).toBeEnabled();
    await box.press('Enter');
    await expect(box).toHaveValue('');
    await expect(messages).toHaveCount(2);
    // Nothing invisible reached the server either.
    await openThread(page, thread);
    await expect(messages).toHaveCount(2);
  });
});

test.describe('without JavaScript', () => {
  test.beforeEach(async ({ browser }) => {
    me = await newNoJsPerson(browser, 'txn');
    other = await newPerson(browser, 'txf');
    thread = await startDirectChat(other.page, me.name, 'hello plain form');
  });

  test('a message of 40 lines near the limit is accepted', async () => {
    const page = me.page;
    await page.goto(`/chat/${thread}`);
    await expect(page.getByTestId('message')).toHaveCount(1);
    // 40 lines of 99: 3,999 characters as typed; the form posts CRLF.
    const lines = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(97)}`);
    const form = page.getByTestId('composer');
    await form.getByRole('textbox', { name: 'Message' }).fill(lines.join('\n'));
    await form.getByRole('button', { name: 'Send' }).click();

    await expect(page).toHaveURL(new RegExp(`/chat/${thread}$`));
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('message')).toHaveCount(2);
    const body = page.getByTestId('message').last().locator('.msg-body');
    expect(await body.textContent()).toBe(lines.join('\n'));
    // Stored with LF line breaks: 3,999 characters, not 4,038.
    const id = await page.getByTestId('message').last().getAttribute('data-id');
    expect(sql(`SELECT length(body), instr(body, char(13)) FROM messages WHERE id = ${Number(id)}`)).toBe(
      '3999|0',
    );
  });

  test('a zero-width-only body is refused by the server', async () => {
    const page = me.page;
    await page.goto(`/chat/${thread}`);
    const form = page.getByTestId('composer');
    await form.getByRole('textbox', { name: 'Message' }).fill('\u200B\u2060');
    await form.getByRole('button', { name: 'Send' }).click();

    await expect(form.getByRole('alert')).toHaveText('Type a message first.');
    await expect(page.getByTestId('message')).toHaveCount(1);
    expect(sql(`SELECT COUNT(*) FROM messages WHERE body = char(8203, 8288)`)).toBe('0');
  });
});
