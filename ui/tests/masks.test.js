// node --test ui/tests: the input masks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskCpf, maskCnpj, maskPhone } from '../js/masks.js';

test('CPF mask follows the digits as they are typed', () => {
  assert.equal(maskCpf('1'), '1');
  assert.equal(maskCpf('1234'), '123.4');
  assert.equal(maskCpf('12345678909'), '123.456.789-09');
  assert.equal(maskCpf('123.456.789-09'), '123.456.789-09');
  assert.equal(maskCpf('123456789091234'), '123.456.789-09', 'extra digits are dropped');
  assert.equal(maskCpf('abc'), '');
});

test('CNPJ mask takes letters in the body, digits in the check digits', () => {
  assert.equal(maskCnpj('12345678000195'), '12.345.678/0001-95');
  assert.equal(maskCnpj('12abc34501de35'), '12.ABC.345/01DE-35');
  assert.equal(maskCnpj('12ABC34501DEXY'), '12.ABC.345/01DE');
});

test('phone mask for mobiles, landlines and +55', () => {
  assert.equal(maskPhone('11987654321'), '(11) 98765-4321');
  assert.equal(maskPhone('1134567890'), '(11) 3456-7890');
  assert.equal(maskPhone('+55 11 98765-4321'), '(11) 98765-4321');
  assert.equal(maskPhone('119'), '(11) 9');
});

test('a foreign number stays as typed (the check then says it is not Brazilian)', () => {
  assert.equal(maskPhone('+1 415 555 0100'), '+1 415 555 0100');
  assert.equal(maskPhone('+351 912 345 678'), '+351 912 345 678');
  // Typed a key at a time: the + and a 5 that may still become +55 are kept.
  assert.equal(maskPhone('+'), '+');
  assert.equal(maskPhone('+5'), '+5');
  assert.equal(maskPhone('+55'), '(55');
  assert.equal(maskPhone('+55 11 98765-4321'), '(11) 98765-4321');
  assert.equal(maskPhone('+54 11 1234-5678'), '+54 11 1234-5678');
});
