#pragma once
// Character classes as the BERT normalizer and pre-tokenizer of Hugging Face `tokenizers` see
// them, answered by ICU.
//
// Note [Unicode 8.0 categories]: `tokenizers` takes general categories (punctuation, controls,
// non-spacing marks) from the Rust crate unicode_categories, whose tables are Unicode 8.0. A code
// point assigned later is "unassigned" there: U+2E4F (Unicode 12) is punctuation to ICU but part
// of a word to `tokenizers`. So every category question is asked of Unicode 8.0: ICU's category
// for code points ICU says existed in 8.0 (u_charAge), none for younger ones, and for the six
// code points whose category Unicode changed after 8.0 the old one (kCategoriesChangedAfter8).
// White space and lowercasing come from Rust's std, which follows current Unicode, and so does
// ICU. tests/e2e/wordpiece_parity.sh checks every code point against `tokenizers`.

namespace topiary::data::bert_characters {

// Unicode White_Space (Rust's char::is_whitespace): ' ', \t, \n, \r, U+00A0, U+3000, ...
bool is_whitespace(char32_t c);
// Cc, Cf, Co or Cs (Unicode 8.0), except \t, \n and \r, which count as white space.
bool is_control(char32_t c);
// ASCII punctuation and symbols (33-47, 58-64, 91-96, 123-126) or any P* (Unicode 8.0).
bool is_punctuation(char32_t c);
// Mn (Unicode 8.0): what stripping accents removes after NFD.
bool is_nonspacing_mark(char32_t c);
// The CJK ideograph blocks BERT puts spaces around (its own list, not a Unicode property).
bool is_chinese_char(char32_t c);

}  // namespace topiary::data::bert_characters
