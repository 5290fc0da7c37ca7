// The DOM's own values fit the structural types of the package (checked with
// the DOM library; never run).
import { init, initSync } from 'triage-wasm';

export async function initInPage(bytes: BufferSource, compiled: WebAssembly.Module): Promise<void> {
  await init(new URL('pkg/triage_wasm_bg.wasm', location.href));
  await init(new Request('pkg/triage_wasm_bg.wasm'));
  await init(fetch('pkg/triage_wasm_bg.wasm'));
  await init(await fetch('pkg/triage_wasm_bg.wasm'));
  await init(bytes);
  initSync(bytes);
  initSync(compiled);
}
