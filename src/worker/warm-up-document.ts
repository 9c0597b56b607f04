// The small document the warm-up loads (see wasm-warmup.ts), saved ahead of time: building it on the
// device ran Automerge's change and save code for the first time, compiling it (~200 ms on a fresh
// device, profiled) while the snapshot the user waits for had already arrived. Loading it is what the
// warm-up is for. 30 items in bucket '00': title "Title <i>" and body "The body of item <i>" as
// ImmutableStrings, tags { tag<i % 3>: true }, createdAt and updatedAt <i>. Made with Automerge.save
// (Automerge.from(...)) in Node; wasm-warmup.test.ts checks that it loads to exactly that.

export const WARM_UP_DOCUMENT_BASE64 =
  'hW9Kg8OagVAAnAcBECus/WxY/eZYRYarl8/3nBcBtuTQWf127jgHJMTCYMOsxC6Tox0SSIKZFIU4NlL/N20GAQIDAhMDIwZA' +
  'AlYCCgEFAmwdnwEhAyMDNAJCfFbQAV/KAYABA38AfwF/1AF/xOLO2AZ/AH8HAAHTAQAAAX8BHgIFAwUEBQUFBgUHBQgFCQUK' +
  'BQsFDAUNBQ4FDwUQBREFEgUTBRQFFQUWBRcFGAUZBRoFGwUcBR0FHgUfBSBiIygtMjc8QUZLUFVaX2RpbnN4fYIBhwGMAZEB' +
  'lgGbAaABpQGqAa8BtAHtlE0KgzAQhUG0xdvE5/+yR1ETRNpSqSPSTe/XWxXnZdFV8QDZfI8ZZr5FSPJ5n/t1uDpZImOSSdyd' +
  'zE5Kw/AVGDmjYJSMilEzGkarLq6BLtAF36QLdIEu0AW6QBfoypWFslRWylrZKNu4f9hXOjxdJ85eJJZuXBKZ5ObSdba+GWbC' +
  '+YS7Ed6F+/kTpBtNtDPbdkIbWv8vdQfz0fGj5RfUAQDUAQHUASAAAgF/AAQBfwAEAX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAE' +
  'AX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAEAX8ABAF/AAQBfwAE' +
  'AX8ABAF/AAQBfwAEAX8AIAEgAOp+pgKFAQB2hQGmAhQAdhS2AhQAhgEUtgIUAIYBFLYCFACGARS2AhQAhgEUtgIUAIYBFLYC' +
  'FACGARS2AhQAhgEUtgIUAIYBFLYCFACGARS2AhQAhgEUpgIUAHYUtgIUAIYBFLYCFACGARS2AhQAhgEUtgIUAIYBFLYCFACG' +
  'ARS2AhQAhgEUtgIUAIYBFLYCFACGARS2AhQAhgEUtgIUAIYBFKYCFAB2FKYCFAB2FKYCFAB2FKYCFAB2FKYCFAB2FKYCFAB2' +
  'FKYCFAB2FB4CZco3CkJRGERhc845wlvCzWEfrkB8oqDY2Lh7i38KcaYbvnO6lcX5dfkUr2txf5fPQlWw0/39KH/uf6irUugq' +
  'k+rBVI9R94G6z2gGQDNgtEOgHTK6EdCNGP0Y6MeMYQIME8Y4BcYpY5oB04wxz4F5TmhqYqbGpBYwtWDUS6BeMpoV0KwY7Rpo' +
  '14xuA3QbRr8F+i1j2AHDjjHugXHPmA7AdGDMR2A+Etq6mK0TuYaQaxD5ppBvEoWWUGgRxbZQbBOljlDqEOWuUO5+AdQBAAA=';
