import { expect } from '@playwright/test';
import { test } from './support';
import { hydrated, register, uniqueName, watchConsole } from './support';

test('pages hydrate without console errors or hydration warnings', async ({ page }) => {
  const problems = watchConsole(page);
  for (const path of ['/login', '/register', '/login?next=/chat/x']) {
    await page.goto(path);
    await hydrated(page);
  }
  await register(page, uniqueName('hyd'));
  // A full load of the protected page, not only a client-side navigation.
  await page.goto('/chat');
  await hydrated(page);
  await expect(page.getByTestId('current-user')).toBeVisible();
  expect(problems).toEqual([]);
});

test('unknown pages answer 404 with a way back', async ({ page }) => {
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
