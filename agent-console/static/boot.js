// Starts the console's wasm. The page loads this with ?v=<build>; the same version is
// passed on so every file of one build is fetched under one cacheable URL.
const version = new URL(import.meta.url).search;
const { default: init } = await import(`./agent-console.js${version}`);
await init({ module_or_path: new URL(`agent-console_bg.wasm${version}`, import.meta.url) });
