// Starts the console's wasm: the build the server chose for this address
// (`agent-console/src/bundle.rs`). The page loads this with ?v=<build>; the same version
// is passed on so every file of one build is fetched under one cacheable URL.
const version = new URL(import.meta.url).search;
const bundle = document.documentElement.dataset.bundle;
const { default: init } = await import(`./${bundle}.js${version}`);
await init({ module_or_path: new URL(`${bundle}_bg.wasm${version}`, import.meta.url) });
