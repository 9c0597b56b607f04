// The small documents the warm-up loads (see wasm-warmup.ts), saved ahead of time: building one on
// the device ran Automerge's change and save code for the first time, compiling it (~200 ms on a
// fresh device, profiled) while the snapshot the user waits for had already arrived. Loading them is
// what the warm-up is for. Each holds <n> items in bucket '00': title "Title <i>" and body "The body
// of item <i>" as ImmutableStrings, tags { tag<i % 3>: true }, createdAt and updatedAt <i>. Made with
// Automerge.save(Automerge.from(...)) in Node; wasm-warmup.test.ts checks that each loads to exactly
// that.

/** 30 items: compiles what any load runs. */
export const WARM_UP_SMALL_BASE64 =
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

/**
 * 200 items, for downloads still going after the small loads: a load turns every value into JS
 * through a few small functions (one text decode per string), which a large document's load then
 * runs thousands of times; 800 strings over four loads get them optimized first.
 */
export const WARM_UP_LARGE_BASE64 =
  'hW9Kg/esxE8AvRQBEBAYhr2bhW2l2rU5251lRGAB/yE5uSXGZ6XyDAYjwzfDh8Lsk75zuBN7ImLIb1THrgQGAQIDAhMDIwZA' +
  'AlYCCgEFCsUFHYUEIQMjAzQCShdeSl+XCYABA38AfwF/+gp/lbLP2AZ/AH8HAAH5CgAFwQlAD1YAx/H93nvf995/933f933f' +
  '933f933f930PKSkpKSkpKSkpKZFIJFIaM2bMmDFjxowZM2b4fHZTd3XKYHGAJxBJsDt7sCd7sTf7sC/7sT8HcCAHcTCHcCiH' +
  'cThHcCRHcTTHcCzHcTwncCIncTKncCqncTpncCZncTbncC7ncT4XcCEXcTGXcCmXcTlXcCVXcTXXcC3XcT03cCM3cTO3cCu3' +
  'cTt3cCd3cTf3cC/3cT8P8CAP8TCP8CiP8ThP8CRP8TTP8CzP8Twv8CIv8TKv8Cqv8Tpv8CZv8Tbv8C7v8T4f8CEf8TGf8Cmf' +
  '8Tlf8CVf0Y3u9BBJoqdIFimil0gVvUWaSBd9RIboKzJFlugnskV/kSNyxQCRJwaKfFEgBolCMVgUiWIxRJSIoaJUlIlholwM' +
  'FxWiUowQVWKkqBY1YpSoFaNFnagXY0SDGCvGiUYxXjSJCWKiaBaTRIuYLKaIVjFVtIlpYrpoFzNEh+gUM0WXmrrN1jwt1BIt' +
  '1yqt1QZt1jbtVIpJN1km1xSYYlNmKk2NqTeNptm0mnbTZeaY+WaRWWpWmNVmndlotpjtJsmm2gybbfNsoS2x5bbK1toG22Rb' +
  'bJvtsLPsXLvALrbL7Eq7xq63m+xWu8MmuzSX6XJcvitypa7CVbs6N85NdFPcdDfTfeO+cz+4n9wv7jf3h/vL/eP+cz3oRR/6' +
  'MYBBDGEYIxjFGMYzianM4Gu+5Xt+5Gd+5Xf+5G/+5X96+t6+r+/vB/rBfqgf7kf60X6sn+An+2m+08/28/xCv8Qv96v8Wr/B' +
  'b/bb/E6fEtJDVsgNBaE4lIXKUBPqQ2NoDq2hPXSFOWF+WBSWhhVhdVgXNoYtYXtIiqkxI2bHvFgYS2J5rIq1sSE2xZbYFjvi' +
  'rDg3LoiL47K4Mq6J6+OmuDXuiMmJtERmIieRnyhKlCYqEtWJusQu7dVdatxgDIVhSCcN2Y2/X0mXXcokY0JoS0vjdOgiu6cS' +
  'n9e9LLkuurHQZ+lhMPac3z/vHl4fP6/by82y3D5v61ddy8f9utypHLVQK7VRO3VQJ9WoTg2xMAf/t4ctsAW2wBbYAltgCyzr' +
  'FbbC1uMctsJW2ApbYStshWWtwTbYBtuO+7ANtsE22AbbYBnvsB22w3bYfszBdtgO22E7LGMDdsAO2AE7YMcxDztgB+yA5faE' +
  'nbATdsJO2Ak7jz3YCTthOTZYgzVYgzVYgzVYO/ZhDZbWYR3WYR3WYR3WYR3WDwc21AZswAZswAZswAZswAZsxP6t1R2vi4q+' +
  'vMphU+kqQ2WqmIqryNJ8k9VkNVmNe7KarCaryWqymiwNdlldVpfVZXVGZHVZXVaX1WVpYsgasoasIWvIGkzKGrKGrCFLt6as' +
  'KWvKmrKmrClrsiBrypqydGayTJbJMlkmy2SZLGNPlslS47JclstyWS7LZbksl+Wsy9ILF7JCVsgKWSErZIWskBWyIk4P3y6/' +
  '7h9/rOdtvXzaTtv56eV2e96+rPev3y8c5kw+n3w38rvI/4T8P8wsyCzILMgsyCzILMgsyCzILMgsyCzILMgsyCzILMgsyCzI' +
  'LMgsyCzILPg/smA7Py0f3q7l+nat+8He/7u92fvre8f3dt9Zru8d39t9J39bPrdTvm9/APoKAPoKAfoKO8XIwMRYz8AyikfD' +
  'YDQNMGALg1OMjAA7xcgwo2IZUysjQ1kr4zImEYYykW1MIgxtjCLHmFQYpjGqUEiNGjYaZkMuaaDkAwqpUbMggaHC0AaKJYLU' +
  'MmjYE6t+KJp1gpEJAG3Xxa4cVxSFYTMzs6+Z7Tp8jvEl/ARRbhRLiTzxJLMwMzMzM4PZYWZOHGZm0qreZyu6q3u0Wt+/a1hS' +
  'bT64t+eArQce1rP1oJ4t23oP7Wn6yW/zlm2H9P7vb9/Q9O8Upj9TM0KsGdEFm4/k4Z3JgflYA0wO7CcaYHLgPtUAkwP/mQaY' +
  'HITPNcDkIH6hASYH6UsNMDnIX2mAyUH5WgNMCsxIYTOyCzbf1Ot2cmC+1QCTA/udBpgcuO81wOTA/6ABJgfhRw0wOYg/aYDJ' +
  'QfpZA0wO8i8aYHJQftUAkwI7StiO6oLNb/W6nRyY3zXA5MD+oQEmB+5PDTA58H9pgMlB+FsDTA7iPxpgcpD+1QCTg3x4fSG0' +
  'k4NyhAaYFLjRwm50F2yOrNft5MAcpQEmB/ZoDTA5cMdogMmBP1YDTA7CcRpgchCP1wCTg3SCBpgc5BM1wOSgnKQBJgV+jLAf' +
  '0wWbk+t1Ozkwp2iAyYE9VQNMDtxpGmBy4E/XAJODcIYGmBzEMzXA5CCdpQEmB/lsDTA5KOdogElBGCscxnbB5tx63U4OzHka' +
  'YHJgz9cAkwN3gQaYHPgLNcDkIFykASYH8WINMDlIl2iAyUG+VANMDsplGmBSEMcJx3FdsLm8XreTA3OFBpgc2Cs1wOTAXaUB' +
  'Jgf+ag0wOQjXaIDJQbxWA0wO0nUaYHKQr9cAk4NygwaYFKTxwml8F2xurNft5MDcpAEmB/ZmDTA5cLdogMmBv1UDTA7CbRpg' +
  'chBv1wCTg3SHBpgc5Ds1wOSg3KUBJgV5gnCe0AWbu+t1Ozkw92iAyYG9VwNMDtx9GmBy4O/XAJOD8IAGmBzEBzXA5CA9pAEm' +
  'B/lhDTA5KI9ogElBmShcJnbB5tF63U4OzGMaYHJgt2uAyYHboQEmB36nBpgchF0aYHIQd2uAyUHaowEmB3mvBpgclH0aYPYN' +
  '7ICO2gFMzSSxZhKjmSxoJjPaKYJ2CqObKuimMvppgn4aY5guGKYzxhmCcQZjmimYZjLmWYJ5FmOZLVhmE7qBHXMDmZo5Ys0c' +
  'RjNX0MxltD2CtofRzRN08xj9fEE/nzEsEAwLGONCwbiQMS0STIsY82LBvJixLBEsSwj9oI75QUzNUrFmKaNZJmiWMdrlgnY5' +
  'o1sh6FYw+pWCfiVjWCUYVjHG1YJxNWNaI5jWMOZGMDeMxQgWQxgGdywMZmqsWGMZjRM0jtF6QesZXRB0gdFHQR8ZQxIMiTFm' +
  'wZgZUxFMhTGvFcxrGcs6wbKOMA7pWBzC1KwXa9Yzmg2CZgOj3ShoNzK6TYJuE6PfLl/t7SIOOypjEcedlbGI067KWMR5d2Us' +
  '4rKnMlZfTkM7mIYyNXvlsl3EZl9lLGL7eGUsYvdEZSxi/2RlLOLwVGUs4vh0ZSzi9ExlLOL8bGUs4vJcZay+nId1MA9jap6X' +
  'y3YRmxcqYxHbFytjEbuXKmMR+5crYxGHVypjEcdXK2MRp9cqYxHn1ytjEZc3KmP15TK8g2U4U/OmXLaL2LxVGYvYvl0Zi9i9' +
  'UxmL2L9bGYs4vFcZizi+XxmLOH1QGYs4f1gZi7jsr1z29/sP+goAAA==';
