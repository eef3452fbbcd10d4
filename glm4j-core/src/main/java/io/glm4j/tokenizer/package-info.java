/**
 * Byte-level BPE tokenization for GLM-4.5 and its family (Llama 3, Qwen2/3 vocabularies).
 *
 * <p>Entry point: {@link io.glm4j.tokenizer.Tokenizer}, built from GGUF metadata
 * ({@link io.glm4j.tokenizer.Tokenizer#fromGgufMetadata}, llama.cpp's rules) or from a Hugging Face
 * {@code tokenizer.json} ({@link io.glm4j.tokenizer.Tokenizer#fromHuggingFace}, the
 * {@code tokenizers} library's rules). Pipeline: added tokens are cut out of the text
 * ({@code Segmenter}), the rest is split by the pre-tokenizer regex ({@code PreTokenizer}), and each
 * piece's UTF-8 bytes are merged by rank ({@code BytePairEncoder}). Generated ids are turned back
 * into text with a {@link io.glm4j.tokenizer.StreamingDecoder}.
 */
package io.glm4j.tokenizer;
