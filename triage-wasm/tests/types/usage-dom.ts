// The DOM's own values fit the structural types of the package (checked with
// the DOM library; never run).
import { init, initSync, initSources, Engine } from 'triage-wasm';

export async function initInPage(bytes: BufferSource, compiled: WebAssembly.Module): Promise<void> {
  await init(new URL('pkg/triage_wasm_bg.wasm', location.href));
  await init(new Request('pkg/triage_wasm_bg.wasm'));
  await init(fetch('pkg/triage_wasm_bg.wasm'));
  await init(await fetch('pkg/triage_wasm_bg.wasm'));
  await init(bytes);
  initSync(bytes);
  initSync(compiled);
  await initSources(new URL('pkg/triage_wasm_sources_bg.wasm', location.href));
  await initSources(fetch('pkg/triage_wasm_sources_bg.wasm'));
}

// The page's own values for a compiled bundle: a fetched ArrayBuffer, a Uint8Array.
export async function loadBundle(): Promise<Engine> {
  const response = await fetch('bundle.triage');
  const bytes = new Uint8Array(await response.arrayBuffer());
  Engine.fromArtifact(await (await fetch('bundle.triage')).arrayBuffer()).free();
  return Engine.fromArtifact(bytes);
}
