// `POST /v1/search` contracts: owned by the Lucene/search work.
export {};
