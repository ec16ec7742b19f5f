import { expect } from '@playwright/test';
import { test } from './support';
import {
  hydrated,
  logIn,
  logOut,
  PASSWORD,
  register,
  registerWithoutScript,
  submitLogin,
  uniqueName,
} from './support';

test('register lands on /chat showing who is logged in', async ({ page }) => {
  const name = uniqueName('reg');
  await register(page, name);
  await expect(page).toHaveTitle(/Chat/);
});

test('log out returns to the login page and /chat is closed again', async ({ page }) => {
  const name = uniqueName('out');
  await register(page, name);
  await logOut(page);
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/chat');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('a wrong password shows the error and keeps the user out', async ({ page }) => {
  const name = uniqueName('bad');
  await register(page, name);
  await logOut(page);
  await expect(page).toHaveURL(/\/login$/);

  await logIn(page, name, 'not my password');
  await expect(page.getByTestId('form-error')).toHaveText('That username and password do not match.');
  await expect(page).toHaveURL(/\/login/);

  await logIn(page, name);
  await expect(page).toHaveURL(/\/chat$/);
});

test('every registration error appears next to its field at once', async ({ page }) => {
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Username').fill('no spaces allowed');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#field-username-error')).toContainText('may use only letters');
  await expect(page.locator('#field-password-error')).toHaveText('A password has at least 8 characters.');

  // Fixing one field clears its message and keeps the other's.
  await page.getByLabel('Username').fill(uniqueName('pw'));
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#field-username-error')).toHaveText('');
  await expect(page.locator('#field-password-error')).toHaveText('A password has at least 8 characters.');
});

test('a logged-out visit to a chat URL goes to login and comes back after it', async ({ page }) => {
  const name = uniqueName('nxt');
  await register(page, name);
  await logOut(page);
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/chat/some-thread');
  await expect(page).toHaveURL('/login?next=/chat/some-thread');
  await submitLogin(page, name);
  await expect(page).toHaveURL(/\/chat\/some-thread$/);
  await expect(page.getByTestId('current-user')).toHaveText(name);
});

test('after hydration the forms work without a full page reload', async ({ page }) => {
  const name = uniqueName('spa');
  await page.goto('/register');
  await hydrated(page);
  // A full reload would wipe this.
  await page.evaluate(() => ((window as unknown as Record<string, number>).__parleyMarker = 42));
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(name);
  await logOut(page);
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, name);
  await expect(page.getByTestId('current-user')).toHaveText(name);
  // logIn() navigated with page.goto, so set and check the marker again.
  await page.evaluate(() => ((window as unknown as Record<string, number>).__parleyMarker = 7));
  await logOut(page);
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => (window as unknown as Record<string, number>).__parleyMarker)).toBe(7);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('register, log out and log in as plain HTML forms', async ({ page }) => {
    const name = uniqueName('nojs');
    await registerWithoutScript(page, name);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);

    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('form-error')).toHaveText('That username and password do not match.');

    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByTestId('current-user')).toHaveText(name);
  });
});

test('a second user cannot take a name in another case', async ({ browser }) => {
  const name = uniqueName('dup');
  const first = await browser.newContext();
  const second = await browser.newContext();
  try {
    await register(await first.newPage(), name);

    const page = await second.newPage();
    await page.goto('/register');
    await hydrated(page);
    await page.getByLabel('Username').fill(name.toUpperCase());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#field-username-error')).toHaveText('That username is taken. Try another.');
    await expect(page).toHaveURL(/\/register$/);
  } finally {
    await first.close();
    await second.close();
  }
});
