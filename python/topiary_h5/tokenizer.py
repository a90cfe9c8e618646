"""Text -> token ids exactly as Topiary's TextEncoder (framework/data/text_encoder.cpp).

Tokenizer descriptions (the /tokenizer "tokenizer" attribute):
  "word,lowercase=true|false"  bytes <= 0x20 and 0x7f separate words; each ASCII punctuation
                               byte is a token of its own; ASCII A-Z are lowercased when asked;
                               every other byte (UTF-8 included) belongs to the current word.
  "char"                       one token per Unicode code point.
  "byte"                       one token per UTF-8 byte, named "<0xNN>" (upper-case hex).
  "sentencepiece:<base64>"     a SentencePiece model (serialized proto, base64): text is cut
                               into pieces by the `sentencepiece` package, each piece looked up.
  "wordpiece:{json}"           a BERT tokenizer.json's settings (framework/data/
                               wordpiece_settings.h) over the stored vocabulary, rebuilt as a
                               Hugging Face `tokenizers` Tokenizer: ids are the tokenizer's own,
                               [CLS] ... [SEP], cut to the settings' max_length.
Tokens missing from the vocabulary become <unk> (id 1); id 0 is <pad>. (wordpiece: the
tokenizer's own [UNK] and [PAD] = 0.)
"""

import base64
import json

PAD_ID, UNK_ID, EOS_ID = 0, 1, 2
SENTENCEPIECE_PREFIX = "sentencepiece:"
WORDPIECE_PREFIX = "wordpiece:"


def wordpiece_tokenizer(vocabulary, description):
    """The `tokenizers` Tokenizer a "wordpiece:{...}" description and vocabulary stand for."""
    from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers, processors
    s = json.loads(description[len(WORDPIECE_PREFIX):])
    ids = {token: i for i, token in enumerate(vocabulary)}
    added_only = {t["content"] for t in s["added_tokens"] if not t["in_vocab"]}
    tokenizer = Tokenizer(models.WordPiece(
        {t: i for t, i in ids.items() if t not in added_only}, unk_token=s["unk_token"],
        continuing_subword_prefix=s["continuing_subword_prefix"],
        max_input_chars_per_word=s["max_input_chars_per_word"]))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=s["clean_text"], handle_chinese_chars=s["handle_chinese_chars"],
        strip_accents=s["strip_accents"], lowercase=s["lowercase"])
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = s["cls_token"], s["sep_token"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}", special_tokens=[(cls, ids[cls]), (sep, ids[sep])])
    tokenizer.add_tokens([AddedToken(t["content"], normalized=t["normalized"], special=True)
                          for t in s["added_tokens"]])
    if s["max_length"] > 0:
        tokenizer.enable_truncation(s["max_length"])
    return tokenizer


def _is_separator(c):
    return c <= 0x20 or c == 0x7F


def _is_punctuation(c):
    return 0x21 <= c <= 0x2F or 0x3A <= c <= 0x40 or 0x5B <= c <= 0x60 or 0x7B <= c <= 0x7E


def word_tokens(text, lowercase=True):
    """framework/data/word_tokenizer.cpp, byte for byte; tokens are returned as str."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    tokens, word = [], bytearray()
    for c in data:
        if _is_separator(c) or _is_punctuation(c):
            if word:
                tokens.append(word.decode("utf-8", "surrogateescape"))
                word = bytearray()
            if _is_punctuation(c):
                tokens.append(chr(c))
        elif lowercase and 0x41 <= c <= 0x5A:
            word.append(c + 0x20)
        else:
            word.append(c)
    if word:
        tokens.append(word.decode("utf-8", "surrogateescape"))
    return tokens


class TextEncoder:
    """encode(text) -> list of ids. `description` is the dataset's tokenizer attribute."""

    def __init__(self, vocabulary, description):
        if description == "char":
            self.kind = "char"
        elif description == "byte":
            self.kind = "byte"
        elif description in ("word,lowercase=true", "word,lowercase=false"):
            self.kind = "word"
        elif description.startswith(SENTENCEPIECE_PREFIX):
            import sentencepiece  # only needed for subword exports
            self.kind = "sentencepiece"
            model = base64.b64decode(description[len(SENTENCEPIECE_PREFIX):])
            self.pieces = sentencepiece.SentencePieceProcessor(model_proto=model)
        elif description.startswith(WORDPIECE_PREFIX):
            self.kind = "wordpiece"
            self.wordpiece = wordpiece_tokenizer(vocabulary, description)
        else:
            raise ValueError(f"unknown tokenizer {description[:40]!r} (known: "
                             "word,lowercase=true|false, char, byte, sentencepiece:..., wordpiece:...)")
        self.description = description
        self.lowercase = description == "word,lowercase=true"
        self.vocabulary = list(vocabulary)
        self.ids = {}
        for i, token in enumerate(self.vocabulary):
            self.ids.setdefault(token, i)  # the first of duplicates wins, as in C++

    def tokens(self, text):
        if self.kind == "wordpiece":
            return [self.vocabulary[i] for i in self.encode(text)]
        if self.kind == "word":
            return word_tokens(text, self.lowercase)
        if self.kind == "char":
            return list(text if isinstance(text, str) else bytes(text).decode("utf-8"))
        if self.kind == "sentencepiece":
            return self.pieces.encode(text if isinstance(text, str) else bytes(text).decode("utf-8"),
                                      out_type=str)
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return [f"<0x{b:02X}>" for b in data]

    def encode(self, text):
        if self.kind == "wordpiece":
            return self.wordpiece.encode(text if isinstance(text, str) else
                                         bytes(text).decode("utf-8")).ids
        return [self.ids.get(token, UNK_ID) for token in self.tokens(text)]

    def decode(self, ids):
        """Generated ids -> text like TextEncoder::decode: <eos> is a newline, byte tokens are
        bytes again, word tokens are joined by spaces. Bytes that are not UTF-8 (byte models)
        come back as surrogate escapes: text.encode("utf-8", "surrogateescape") gives them."""
        if self.kind == "wordpiece":  # WordPieceTokenizer::decode
            s = json.loads(self.description[len(WORDPIECE_PREFIX):])
            prefix, text = s["continuing_subword_prefix"], ""
            framing = {self.ids[s["cls_token"]], self.ids[s["sep_token"]]}
            for i in ids:
                if 0 < i < len(self.vocabulary) and i not in framing:
                    token = self.vocabulary[i]
                    glue = prefix and token.startswith(prefix)
                    text += token[len(prefix):] if glue else (" " if text else "") + token
            return text
        eos = len(self.vocabulary) > 2 and self.vocabulary[EOS_ID] == "<eos>"
        if self.kind == "sentencepiece":
            text, pieces = "", []
            for i in ids:
                if not 0 <= i < len(self.vocabulary):
                    continue
                if (i == EOS_ID and eos) or i == UNK_ID:
                    text += self.pieces.decode_pieces(pieces) + ("\n" if i == EOS_ID else " \u2047 ")
                    pieces = []
                elif i != PAD_ID:
                    pieces.append(self.vocabulary[i])
            return text + self.pieces.decode_pieces(pieces)
        out = bytearray()
        for i in ids:
            if not 0 <= i < len(self.vocabulary):
                continue
            if i == EOS_ID and eos:
                out += b"\n"
                continue
            token = self.vocabulary[i]
            if self.kind == "byte" and len(token) == 6 and token.startswith("<0x"):
                out.append(int(token[3:5], 16))
                continue
            if self.kind == "word" and out and not out.endswith(b"\n"):
                out += b" "
            out += token.encode("utf-8")
        return out.decode("utf-8", "surrogateescape")
