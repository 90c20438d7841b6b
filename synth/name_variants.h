// Name corruptions a clerk or a transliteration introduces, applied to a full
// name (tokens separated by single spaces):
//   transliterate      one token respelt: whole-word variants (Muhammad ->
//                      Mohammad / Muhammed / Mohd / M., Rehman -> Rahman, ...)
//                      or a Roman-Urdu rule (q/k, z/dh/zh, aa/a, ee/i, oo/u,
//                      w/v, doubled/undoubled consonant, final -a/-ah)
//   toggleHonorific    a title (Haji, Syed, Malik, ...) or a women's suffix
//                      (Bibi, Begum, Khatoon, Mai) dropped if present, added if not
//   reorderTokens      two adjacent tokens swapped
//   joinOrSplit        Abdul Rehman -> Abdulrehman / Abdur Rehman, Samiullah ->
//                      Sami Ullah, Allah Bux -> Allahbux, ...
//   keyboardTypo       one QWERTY-neighbour substitution, deletion, doubling
//                      or transposition inside a token
//   dropToken          one token left out (often "Muhammad")
// Each returns true when it changed the name. Called with rng == nullptr it
// only reports whether it applies to this name, leaving the name unchanged.
#pragma once

#include <string>

#include "synth/admin_geography.h"
#include "synth/random_stream.h"

namespace nser::synth {

bool transliterate(std::string& name, RandomStream* rng);
bool toggleHonorific(std::string& name, bool male, NameRegion region, RandomStream* rng);
bool reorderTokens(std::string& name, RandomStream* rng);
bool joinOrSplit(std::string& name, RandomStream* rng);
bool keyboardTypo(std::string& name, RandomStream* rng);
bool dropToken(std::string& name, RandomStream* rng);

}  // namespace nser::synth
