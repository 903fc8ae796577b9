/** Maps TypeBox imports to its bundle under dist/typebox/ when one of the installed version exists. */
export function useBundledTypebox(): void;
