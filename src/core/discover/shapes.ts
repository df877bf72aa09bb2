/**
 * Value shapes counted by the profiling query. Each shape is a regular
 * expression (RE2, written without backslashes so it survives SQL and JSON
 * quoting unchanged) or a small SQL predicate over the bronze string `v`.
 * Type inference (infer.ts) and quality (quality.ts) read only these counts.
 */

export type ShapeName =
  | 'int'
  | 'intThousands'
  | 'zeroPadded'
  | 'dec'
  | 'decThousands'
  | 'decComma'
  | 'intDotThousands'
  | 'exp'
  | 'currency'
  | 'currencyComma'
  | 'accounting'
  | 'percent'
  | 'boolWord'
  | 'boolDigit'
  | 'dateIso'
  | 'dateYmdSlash'
  | 'dateSlash'
  | 'dateDash'
  | 'dateDot'
  | 'dateText'
  | 'datetimeIso'
  | 'datetimeSlash'
  | 'uuid'
  | 'email'
  | 'url'
  | 'phone'
  | 'padded'
  | 'nullToken';

/** Texts that stand for "no value" (compared lower-cased, up to 4 characters): R writes NA, Excel #N/A, SQL dumps NULL. */
export const NULL_TOKEN_LIST = ['null', 'n/a', 'na', 'none', 'nil', 'nan', '-', '?', '#n/a'];
const NULL_TOKENS = `(${NULL_TOKEN_LIST.map((t) => `'${t}'`).join(',')})`;
const BOOL_WORDS = `('true','false','yes','no','y','n','t','f')`;

/** Cheap tests (comparisons, prefixes, lengths) that let the regex run only on values that could match. */
const digitStart = (v: string) => `(${v} >= '0' AND ${v} < ':')`;
const numberStart = (v: string) => `(${digitStart(v)} OR startsWith(${v}, '-') OR startsWith(${v}, '.'))`;
const dateGate = (v: string) => `(${digitStart(v)} AND length(${v}) BETWEEN 8 AND 35)`;
const MONTH_PREFIXES = `['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']`;
/** `gate AND regex`: ClickHouse short-circuits AND, so the regex is skipped where the gate fails. */
const gated = (gate: string, v: string, re: string) => `(${gate} AND match(${v}, '${re}'))`;

/** SQL predicate per shape over the (quoted) column expression `v`. */
export const SHAPES: Record<ShapeName, (v: string) => string> = {
  int: (v) => gated(numberStart(v), v, '^-?[0-9]+$'),
  intThousands: (v) => gated(`(${numberStart(v)} AND position(${v}, ',') > 0)`, v, '^-?[0-9]{1,3}(,[0-9]{3})+$'),
  zeroPadded: (v) => gated(`startsWith(${v}, '0')`, v, '^0[0-9]+$'),
  dec: (v) => gated(`(${numberStart(v)} AND position(${v}, '.') > 0)`, v, '^-?[0-9]*[.][0-9]+$'),
  decThousands: (v) => gated(`(${numberStart(v)} AND position(${v}, ',') > 0)`, v, '^-?[0-9]{1,3}(,[0-9]{3})+[.][0-9]+$'),
  // Decimal comma (European exports: 17,35 or 1.717,35). "1,234" matches intThousands too; the column decides.
  decComma: (v) => gated(`(${numberStart(v)} AND position(${v}, ',') > 0)`, v, '^-?([0-9]+|[0-9]{1,3}([.][0-9]{3})+),[0-9]+$'),
  // Integers with '.' thousands (1.234.567); "1.234" matches dec too.
  intDotThousands: (v) => gated(`(${numberStart(v)} AND position(${v}, '.') > 0)`, v, '^-?[0-9]{1,3}([.][0-9]{3})+$'),
  exp: (v) => gated(`(${numberStart(v)} AND (position(${v}, 'e') > 0 OR position(${v}, 'E') > 0))`, v, '^-?([0-9]+[.]?[0-9]*|[.][0-9]+)[eE][-+]?[0-9]+$'),
  // The symbol before (US: $1,234.50) or after the amount (European: 12.50 €).
  currency: (v) => gated(`multiSearchAny(${v}, ['$','€','£','¥'])`, v, '^-?[$€£¥] ?-?[0-9]{1,3}(,?[0-9]{3})*([.][0-9]+)?$|^-?[0-9]{1,3}(,?[0-9]{3})*([.][0-9]+)? ?[$€£¥]$'),
  // Amounts with a decimal comma (12,50 € or € 1.234,50): the symbol before or after. "€1,234" is left to
  // currency (a US thousands group), so no value counts as both.
  currencyComma: (v) =>
    gated(
      `(multiSearchAny(${v}, ['$','€','£','¥']) AND position(${v}, ',') > 0)`,
      v,
      '^-?[$€£¥]? ?-?([0-9]+,([0-9]{1,2}|[0-9]{4,})|[0-9]{1,3}([.][0-9]{3})+,[0-9]+)( ?[$€£¥])?$',
    ),
  // Accounting negatives: (1,234.50) or ($12.00) is -1234.50 / -12.00.
  accounting: (v) => gated(`(startsWith(${v}, '(') AND endsWith(${v}, ')'))`, v, '^[(][$€£¥]? ?[0-9]{1,3}(,?[0-9]{3})*([.][0-9]+)? ?[$€£¥]?[)]$'),
  percent: (v) => gated(`endsWith(${v}, '%')`, v, '^-?[0-9]+([.][0-9]+)? ?%$'),
  boolWord: (v) => `(length(${v}) <= 5 AND lower(${v}) IN ${BOOL_WORDS})`,
  boolDigit: (v) => `${v} IN ('0','1')`,
  dateIso: (v) => gated(dateGate(v), v, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  dateYmdSlash: (v) => gated(dateGate(v), v, '^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}$'),
  dateSlash: (v) => gated(dateGate(v), v, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'),
  dateDash: (v) => gated(dateGate(v), v, '^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$'),
  dateDot: (v) => gated(dateGate(v), v, '^[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}$'),
  dateText: (v) =>
    gated(
      `(length(${v}) BETWEEN 8 AND 22 AND multiSearchAnyCaseInsensitive(${v}, ${MONTH_PREFIXES}))`,
      v,
      '^([A-Za-z]{3,9}[.]? [0-9]{1,2},? [0-9]{4}|[0-9]{1,2} [A-Za-z]{3,9}[.]?,? [0-9]{4})$',
    ),
  datetimeIso: (v) => gated(dateGate(v), v, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?(Z|[-+][0-9]{2}(:?[0-9]{2})?)?$'),
  datetimeSlash: (v) => gated(dateGate(v), v, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4},? [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( ?[AaPp][Mm])?$'),
  uuid: (v) => gated(`length(${v}) = 36`, v, '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'),
  email: (v) => gated(`position(${v}, '@') > 0`, v, '^[^@ ]+@[^@ ]+[.][A-Za-z]{2,}$'),
  url: (v) => gated(`(startsWith(${v}, 'http') OR startsWith(${v}, 'ftp') OR startsWith(${v}, 'www.'))`, v, '^(https?|ftp)://[^ ]+$|^www[.][^ ]+$'),
  // A plain decimal (a latitude 40.712776, an age 34.50) is a number, never a phone number.
  phone: (v) =>
    gated(
      `(length(${v}) BETWEEN 7 AND 22 AND (${digitStart(v)} OR startsWith(${v}, '+') OR startsWith(${v}, '(')) AND multiSearchAny(${v}, [' ', '(', '.', '-', '+']) AND NOT match(${v}, '^[0-9]+[.][0-9]+$'))`,
      v,
      '^[+]?[0-9]{0,3}[ .-]?[(]?[0-9]{2,4}[)]?[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,5}$',
    ),
  // Leading or trailing whitespace: a consistency finding, not a type.
  padded: (v) => `(${v} != '' AND (startsWith(${v}, ' ') OR endsWith(${v}, ' ') OR startsWith(${v}, '\t') OR endsWith(${v}, '\t')))`,
  // Placeholders people type for "no value": counted as missing, not as bad values.
  nullToken: (v) => `(length(${v}) <= 4 AND lower(${v}) IN ${NULL_TOKENS})`,
};

export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

/** The date-like shapes whose day/month order has to be read from the data. */
export const DMY_SHAPES = ['dateSlash', 'dateDash', 'dateDot', 'datetimeSlash'] as const;
export type DmyShape = (typeof DMY_SHAPES)[number];
export const DMY_SEPARATOR: Record<DmyShape, string> = { dateSlash: '/', dateDash: '-', dateDot: '.', datetimeSlash: '/' };

/** Symbols, spaces and the accounting parenthesis that may follow the digits of an amount or percentage. */
export const NUMBER_SUFFIX = `' $€£¥%)'`;

/** Characters stripped from numbers written for people (currency, thousands, percent). */
export const NUMBER_NOISE = `'[$€£¥,% ]'`;
