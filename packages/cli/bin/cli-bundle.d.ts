/** The CLI bundle's entry URL when it serves argv's verb and is current, else null. */
export function bundledCli(argv: string[], dir?: URL): string | null;
