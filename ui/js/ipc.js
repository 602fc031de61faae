// The one door to Rust. Every call either resolves or rejects with a CommandError
// ({code, message, requestId, fields}); never with a bare string.
import { invoke } from '../vendor/tauri-api/core.js';
import { listen } from '../vendor/tauri-api/event.js';

export async function call(command, args = {}) {
  try {
    return await invoke(command, args);
  } catch (err) {
    if (err && typeof err === 'object' && 'code' in err) throw err;
    throw { code: 'internal', message: String(err), requestId: null, fields: {} };
  }
}

export { listen };
