// node --test ui/tests: dates and money in the agent's language, with one formatter reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { date, money, formatter } from '../js/format.js';

test('dates and money follow pt-BR', () => {
  assert.match(date('2026-03-01T12:34:00Z'), /^0?1\/03\/2026/);
  assert.equal(date('not a date'), 'not a date');
  assert.match(money(1234.5), /R\$\s?1\.234,50/);
});

test('one formatter per language and kind, however many values', () => {
  const first = formatter('date', 'pt-BR');
  for (let i = 0; i < 1000; i++) date(new Date(i * 86400000).toISOString());
  assert.equal(formatter('date', 'pt-BR'), first);
  assert.notEqual(formatter('date', 'en'), first);
});
