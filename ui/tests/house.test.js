// node --test ui/tests: the page's modules import downwards only (the shell's parts below the
// screens, screens never each other, nothing imports main.js, no circle), and the event names
// the page listens to are the ones Rust emits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENTS } from '../js/app-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const js = join(root, 'js');

function modules(dir = js) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith('.js') ? [path] : [];
  });
}

/** Module (relative to ui/js) → the ui/js modules it imports. */
function graph() {
  const out = new Map();
  for (const file of modules()) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)]
      .map(([, spec]) => resolve(dirname(file), spec))
      .filter((path) => path.startsWith(js))
      .map((path) => relative(js, path));
    out.set(relative(js, file), imports);
  }
  return out;
}

test('every import names a module that exists and a name it exports', () => {
  const wrong = [];
  for (const file of modules()) {
    for (const [, names, spec] of readFileSync(file, 'utf8').matchAll(/^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+)\s+from\s+'([^']+)'/gm)) {
      const target = resolve(dirname(file), spec);
      if (!existsSync(target)) {
        wrong.push(`${relative(js, file)}: ${spec} does not exist`);
        continue;
      }
      const text = readFileSync(target, 'utf8');
      const exported = new Set([
        ...[...text.matchAll(/^export\s+(?:async\s+)?(?:function|const|let|class)\s+(\w+)/gm)].map((m) => m[1]),
        ...[...text.matchAll(/^export\s+\{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim().split(/\s+as\s+/).pop())),
      ]);
      for (const name of (names ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (!exported.has(name)) wrong.push(`${relative(js, file)}: ${spec} exports no ${name}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('screens never import each other, panels import no screen, nothing imports main.js', () => {
  const wrong = [];
  for (const [from, imports] of graph()) {
    for (const to of imports) {
      if (to === 'main.js') wrong.push(`${from} imports main.js`);
      if (from.startsWith('screens/') && to.startsWith('screens/')) wrong.push(`${from} imports ${to}`);
      if (!from.startsWith('screens/') && from !== 'main.js' && to.startsWith('screens/')) wrong.push(`${from} imports ${to}`);
      if (from.startsWith('panels/') && to.startsWith('panels/')) wrong.push(`${from} imports ${to}`);
      if (!from.startsWith('screens/') && !from.startsWith('panels/') && from !== 'main.js' && to.startsWith('panels/')) wrong.push(`${from} imports ${to}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the modules form no import circle', () => {
  const g = graph();
  const done = new Set();
  const visit = (node, path) => {
    if (done.has(node)) return;
    assert.ok(!path.includes(node), `import circle: ${[...path, node].join(' -> ')}`);
    for (const next of g.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of g.keys()) visit(node, []);
  assert.ok(g.get('main.js').includes('router.js'));
});

test('the page listens to the events Rust emits, by the same names', () => {
  const rust = readFileSync(join(root, '..', 'src-tauri', 'src', 'events.rs'), 'utf8');
  const emitted = [...rust.matchAll(/^pub const [A-Z_]+: &str = "([^"]+)";/gm)].map(([, name]) => name).sort();
  assert.ok(emitted.length >= 5, emitted.join(', '));
  assert.deepEqual(Object.values(EVENTS).sort(), emitted);
  // And no module listens to one by spelling its name itself.
  for (const file of modules()) {
    for (const name of emitted) {
      assert.ok(!readFileSync(file, 'utf8').includes(`listen('${name}'`), `${relative(js, file)} spells '${name}'`);
    }
  }
});

test('index.html preloads every module main.js reaches, and nothing else', () => {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:^import\s[^;]*?from|^export\s[^;]*?from)\s+'(\.[^']+)'/gms)) {
      visit(resolve(dirname(file), spec));
    }
  };
  visit(join(js, 'main.js'));
  reached.delete(join(js, 'main.js'));
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)]
    .map(([, href]) => resolve(root, href)));
  const rel = (set) => [...set].map((p) => relative(root, p)).sort();
  assert.deepEqual(rel(preloaded), rel(reached));
});
