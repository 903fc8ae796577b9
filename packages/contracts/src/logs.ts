// Log shipping contracts (listener): owned by the listener/accounts work.
export {};
