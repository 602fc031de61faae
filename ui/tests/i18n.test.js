// node --test ui/tests: the dictionaries agree, and every literal key the screens use exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ptBR from '../i18n/pt-BR.js';
import en from '../i18n/en.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('both languages have the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(ptBR).sort());
});

test('every t("literal") in the code has a translation', () => {
  const files = ['js', 'js/screens', 'js/panels'].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.js')).map((f) => join(root, d, f)));
  const missing = [];
  for (const file of files) {
    for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
      if (!(key in ptBR)) missing.push(`${file}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('counts choose their words: 1 cliente, 0 and 3 clientes; no "(s)" left', async () => {
  const { t } = await import('../js/i18n.js');
  assert.equal(t('customers.count', { count: 1 }), '1 cliente');
  assert.equal(t('customers.count', { count: 0 }), '0 clientes');
  assert.equal(t('customers.count', { count: 3 }), '3 clientes');
  assert.match(t('drafts.counts', { waiting: 2, attention: 1, editing: 0, sent: 1 }), /1 precisa de atenção · 0 em edição · 1 enviado$/);
  const leftovers = Object.entries(ptBR).filter(([, text]) => /\((s|m|es)\)/.test(text)).map(([key]) => key);
  assert.deepEqual(leftovers, []);
});
