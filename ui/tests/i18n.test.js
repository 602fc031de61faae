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
