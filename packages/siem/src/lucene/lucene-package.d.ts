// The `lucene` npm package ships no types; parse.ts is the only importer and checks shapes itself.
declare module 'lucene' {
  const lucene: { parse(query: string): unknown };
  export default lucene;
}
