/**
 * Look-alike letters from other scripts, folded to the Latin letter they imitate.
 *
 * Unicode's own compatibility decomposition (NFKD, applied first in normalize.ts) already
 * folds full-width letters (`ｂａｄ`), mathematical alphanumerics (`𝐛𝐚𝐝`, `𝕓𝕒𝕕`), circled and
 * parenthesised letters and ligatures. What it does not fold are letters of other scripts
 * that merely *look* Latin: Cyrillic `і` `о` `а`, Greek `ο` `ι`, Armenian `օ`, Cherokee `Ꭺ`,
 * Latin small capitals `ᴀ`, and letters with strokes (`ø`, `ł`). This table is a compact,
 * hand-picked subset of the Unicode confusables data (UTS #39, confusables.txt) restricted
 * to those whose skeleton is a single Latin letter a–z, plus the enclosed-letter emoji that
 * have no decomposition (`🅰`, `🇦`) and invisible "filler" letters (folded to nothing).
 *
 * Why a table and not a dependency: the full confusables data maps ~6,000 characters to
 * arbitrary skeletons (digits, multi-letter sequences, symbols), most of which are irrelevant
 * to matching words and some of which would be harmful (e.g. `rn` → `m` would make "burn"
 * read as "bum"). A hundred-odd entries cover the letters abuse actually uses, cost nothing
 * to load, and can be read and reviewed here.
 *
 * Keys are code points as written (both cases: the table is consulted before lower-casing,
 * because e.g. Cyrillic capital `В` imitates `B` while its lower case `в` imitates nothing).
 * Values are lower-case Latin. Host names are deliberately NOT folded with this table
 * (links.ts): a Cyrillic `аmazon.com` is a different domain, not amazon.com.
 */

/** [look-alike characters, Latin letter] pairs; every character of the first string maps to the second. */
const GROUPS: readonly (readonly [string, string])[] = [
  // Cyrillic                      Greek              Armenian / Cherokee / Latin extras
  ['\u0430\u0410\u04D1\u04D3', 'a'], // а А ӑ ӓ (breve/diaeresis forms survive NFKD as base а)
  ['\u0391\u03B1', 'a'], // Α α
  ['\u13AA\u0251\u1D00\u0252', 'a'], // Ꭺ ɑ ᴀ ɒ
  ['\u0412\u042C\u0392\u13F4\u0299\u0180\u0183\u0184\u0185', 'b'], // В Ь Β Ᏼ ʙ ƀ ƃ Ƅ ƅ
  ['\u0421\u0441\u03F9\u03F2\u13DF\u1D04\u217D', 'c'], // С с Ϲ ϲ Ꮯ ᴄ ⅽ
  ['\u0500\u0501\u13A0\u1D05\u0111\u0256\u0257', 'd'], // Ԁ ԁ Ꭰ ᴅ đ ɖ ɗ
  ['\u0415\u0435\u0450\u0451\u0395\u13AC\u1D07\u0247', 'e'], // Е е ѐ ё Ε Ꭼ ᴇ ɇ
  ['\u0261\u0262\u050C\u050D\u0581\u13C0\u01E5', 'g'], // ɡ ɢ Ԍ ԍ ց Ꮐ ǥ
  ['\u041D\u04BA\u04BB\u0397\u0570\u13BB\u029C\u0127', 'h'], // Н Һ һ Η հ Ꮋ ʜ ħ
  ['\u0406\u0456\u0457\u0399\u03B9\u0131\u0269\u026A\u0268\u04C0\u13A5\u2170', 'i'], // І і ї Ι ι ı ɩ ɪ ɨ Ӏ Ꭵ ⅰ
  ['\u0408\u0458\u037F\u03F3\u0237\u13AB\u1D0A\u0249', 'j'], // Ј ј Ϳ ϳ ȷ Ꭻ ᴊ ɉ
  ['\u041A\u043A\u039A\u03BA\u13E6\u1D0B\u049B\u049A', 'k'], // К к Κ κ Ꮶ ᴋ қ Қ
  ['\u04CF\u13DE\u029F\u0142\u026B\u217C\u056C', 'l'], // ӏ Ꮮ ʟ ł ɫ ⅼ լ
  ['\u041C\u039C\u13B7\u1D0D\u217F', 'm'], // М Μ Ꮇ ᴍ ⅿ
  ['\u039D\u0578\u043F\u0274', 'n'], // Ν ո п ɴ
  ['\u041E\u043E\u039F\u03BF\u0555\u0585\u13A4\u1D0F\u00F8\u00D8\u04E7\u04E6', 'o'], // О о Ο ο Օ օ Ꭴ ᴏ ø Ø ӧ Ӧ
  ['\u0420\u0440\u03A1\u03C1\u13E2\u1D18', 'p'], // Р р Ρ ρ Ꮲ ᴘ
  ['\u051A\u051B\u0566', 'q'], // Ԛ ԛ զ
  ['\u0433\u0280\u13A1', 'r'], // г ʀ Ꭱ
  ['\u0405\u0455\u054F\u13DA\uA731', 's'], // Ѕ ѕ Տ Ꮪ ꜱ
  ['\u0422\u03A4\u03C4\u13A2\u1D1B\u0167', 't'], // Т Τ τ Ꭲ ᴛ ŧ
  ['\u057D\u054D\u03C5\u1D1C\u0289', 'u'], // ս Ս υ ᴜ ʉ
  ['\u0474\u0475\u03BD\u13D9\u1D20\u2174', 'v'], // Ѵ ѵ ν Ꮩ ᴠ ⅴ
  ['\u051C\u051D\u13B3\u1D21\u0461', 'w'], // Ԝ ԝ Ꮃ ᴡ ѡ
  ['\u0425\u0445\u03A7\u03C7\u04B2\u04B3\u2179', 'x'], // Х х Χ χ Ҳ ҳ ⅹ
  ['\u0423\u0443\u04AE\u04AF\u03A5\u03B3\u028F\u13A9\u04F1', 'y'], // У у Ү ү Υ γ ʏ Ꭹ ӱ
  ['\u0396\u13C3\u1D22\u01B6', 'z'], // Ζ Ꮓ ᴢ ƶ
];

/** Multi-letter and empty foldings. */
const SINGLES: readonly (readonly [number, string])[] = [
  [0x00df, 'ss'], // ß (lower-casing keeps it; case folding would give "ss")
  [0x00e6, 'ae'], // æ
  [0x00c6, 'ae'], // Æ
  [0x0153, 'oe'], // œ
  [0x0152, 'oe'], // Œ
  // Invisible letters (category Lo, so not removed as format characters): Hangul fillers.
  [0x115f, ''],
  [0x1160, ''],
  [0x3164, ''],
  [0xffa0, ''],
];

/** Letter-shaped emoji without a decomposition: negative circled, negative squared, regional indicators. */
const EMOJI_LETTER_RANGES: readonly number[] = [0x1f150, 0x1f170, 0x1f1e6];

const TABLE = new Map<number, string>();
for (const [chars, latin] of GROUPS) for (const ch of chars) TABLE.set(ch.codePointAt(0)!, latin);
for (const [cp, latin] of SINGLES) TABLE.set(cp, latin);

/** The Latin folding of a look-alike code point, or undefined when it is not one. */
export function confusableFold(cp: number): string | undefined {
  if (cp < 0x00df) return undefined;
  const hit = TABLE.get(cp);
  if (hit !== undefined) return hit;
  if (cp >= 0x1f150 && cp < 0x1f1e6 + 26) {
    for (const base of EMOJI_LETTER_RANGES) {
      if (cp >= base && cp < base + 26) return String.fromCharCode(97 + cp - base);
    }
  }
  return undefined;
}

/** Number of code points the table folds (for documentation and tests). */
export const CONFUSABLE_COUNT = TABLE.size + EMOJI_LETTER_RANGES.length * 26;
