// Security rule and configuration contracts: owned by the rules work.
export {};
