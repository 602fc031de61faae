// Input masks: presentation only. Whether a number is valid is decided in Rust
// (`validate_field`); these only place the dots and dashes as the agent types.

const digits = (v) => String(v ?? '').replace(/\D/g, '');

function shape(value, pattern) {
  let out = '';
  let i = 0;
  for (const ch of pattern) {
    if (i >= value.length) break;
    if (ch === '#') out += value[i++];
    else out += ch;
  }
  return out;
}

/** 000.000.000-00 */
export function maskCpf(v) {
  return shape(digits(v).slice(0, 11), '###.###.###-##');
}

/** 00.000.000/0000-00, letters allowed in the first 12 (alphanumeric CNPJ). */
export function maskCnpj(v) {
  const raw = String(v ?? '').toUpperCase().replace(/[^0-9A-Z]/g, '');
  const body = raw.slice(0, 12);
  const dv = raw.slice(12).replace(/\D/g, '').slice(0, 2);
  return shape(body + dv, '##.###.###/####-##');
}

/**
 * (11) 98765-4321 or (11) 3456-7890; a leading +55 is dropped. A number with another country
 * code stays as typed, so that the check says "Só números do Brasil (+55)" instead of showing
 * it re-shaped as a Brazilian one.
 */
export function maskPhone(v) {
  const raw = String(v ?? '');
  if (/^\s*\+/.test(raw) && !/^\s*\+\s*5\s*5/.test(raw)) return raw.replace(/[^0-9+ ()-]/g, '');
  let d = digits(v);
  if (d.length > 11 && d.startsWith('55')) d = d.slice(2);
  d = d.slice(0, 11);
  return d.length > 10 ? shape(d, '(##) #####-####') : shape(d, '(##) ####-####');
}
