#include "linkage/double_metaphone.h"

#include <initializer_list>

namespace nser::linkage {
namespace {

// The encoder state: the upper-cased word, the position and both codes.
class Encoder {
 public:
  Encoder(std::string_view word, std::size_t maxLength) : maxLength_(maxLength) {
    word_.reserve(word.size());
    for (char c : word) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      word_.push_back(c);
    }
    // Trim surrounding spaces as the reference does.
    while (!word_.empty() && word_.back() == ' ') word_.pop_back();
    std::size_t lead = 0;
    while (lead < word_.size() && word_[lead] == ' ') ++lead;
    word_.erase(0, lead);
    last_ = static_cast<int>(word_.size()) - 1;
    slavoGermanic_ = word_.find('W') != std::string::npos || word_.find('K') != std::string::npos ||
                     word_.find("CZ") != std::string::npos || word_.find("WITZ") != std::string::npos;
  }

  DoubleMetaphoneCode run();

 private:
  char at(int i) const {
    if (i < 0 || i > last_) return '\0';
    return word_[static_cast<std::size_t>(i)];
  }
  // Whether the substring of `length` at `start` equals one of `options`.
  bool matches(int start, int length, std::initializer_list<std::string_view> options) const {
    if (start < 0 || start + length > static_cast<int>(word_.size())) return false;
    const std::string_view target(word_.data() + start, static_cast<std::size_t>(length));
    for (std::string_view option : options) {
      if (option == target) return true;
    }
    return false;
  }
  static bool isVowel(char c) {
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
  }
  bool complete() const {
    return primary_.size() >= maxLength_ && alternate_.size() >= maxLength_;
  }
  void add(std::string_view both) { add(both, both); }
  void add(std::string_view primary, std::string_view alternate) {
    addPrimary(primary);
    addAlternate(alternate);
  }
  void addPrimary(std::string_view value) {
    const std::size_t room = maxLength_ > primary_.size() ? maxLength_ - primary_.size() : 0;
    primary_.append(value.substr(0, room));
  }
  void addAlternate(std::string_view value) {
    const std::size_t room = maxLength_ > alternate_.size() ? maxLength_ - alternate_.size() : 0;
    alternate_.append(value.substr(0, room));
  }

  int handleC(int i);
  int handleCH(int i);
  int handleCC(int i);
  int handleD(int i);
  int handleG(int i);
  int handleGH(int i);
  int handleH(int i);
  int handleJ(int i);
  int handleL(int i);
  int handleP(int i);
  int handleR(int i);
  int handleS(int i);
  int handleSC(int i);
  int handleT(int i);
  int handleW(int i);
  int handleX(int i);
  int handleZ(int i);

  bool germanicOrVan() const { return matches(0, 4, {"VAN ", "VON "}) || matches(0, 3, {"SCH"}); }

  std::string word_;
  std::size_t maxLength_;
  int last_ = -1;
  bool slavoGermanic_ = false;
  std::string primary_;
  std::string alternate_;
};

DoubleMetaphoneCode Encoder::run() {
  if (word_.empty()) return {};
  int i = matches(0, 2, {"GN", "KN", "PN", "WR", "PS"}) ? 1 : 0;  // silent first letter
  while (!complete() && i <= last_) {
    const char c = at(i);
    switch (c) {
      case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
        if (i == 0) add("A");  // only an initial vowel is coded
        ++i;
        break;
      case 'B':
        add("P");
        i += at(i + 1) == 'B' ? 2 : 1;
        break;
      case 'C': i = handleC(i); break;
      case 'D': i = handleD(i); break;
      case 'F':
        add("F");
        i += at(i + 1) == 'F' ? 2 : 1;
        break;
      case 'G': i = handleG(i); break;
      case 'H': i = handleH(i); break;
      case 'J': i = handleJ(i); break;
      case 'K':
        add("K");
        i += at(i + 1) == 'K' ? 2 : 1;
        break;
      case 'L': i = handleL(i); break;
      case 'M':
        add("M");
        // "dumb", "thumb": the B after UM is silent
        if (at(i + 1) == 'M' ||
            (matches(i - 1, 3, {"UMB"}) && (i + 1 == last_ || matches(i + 2, 2, {"ER"})))) {
          i += 2;
        } else {
          ++i;
        }
        break;
      case 'N':
        add("N");
        i += at(i + 1) == 'N' ? 2 : 1;
        break;
      case 'P': i = handleP(i); break;
      case 'Q':
        add("K");
        i += at(i + 1) == 'Q' ? 2 : 1;
        break;
      case 'R': i = handleR(i); break;
      case 'S': i = handleS(i); break;
      case 'T': i = handleT(i); break;
      case 'V':
        add("F");
        i += at(i + 1) == 'V' ? 2 : 1;
        break;
      case 'W': i = handleW(i); break;
      case 'X': i = handleX(i); break;
      case 'Z': i = handleZ(i); break;
      default: ++i; break;
    }
  }
  return {primary_, alternate_};
}

int Encoder::handleC(int i) {
  // Various Germanic "ach" cases ("bacher", "macher") code as K.
  const bool germanicAch =
      matches(i, 4, {"CHIA"}) ||
      (i > 1 && !isVowel(at(i - 2)) && matches(i - 1, 3, {"ACH"}) &&
       ((at(i + 2) != 'I' && at(i + 2) != 'E') || matches(i - 2, 6, {"BACHER", "MACHER"})));
  if (germanicAch) {
    add("K");
    return i + 2;
  }
  if (i == 0 && matches(i, 6, {"CAESAR"})) {
    add("S");
    return i + 2;
  }
  if (matches(i, 2, {"CH"})) return handleCH(i);
  if (matches(i, 2, {"CZ"}) && !matches(i - 2, 4, {"WICZ"})) {  // "Czerny"
    add("S", "X");
    return i + 2;
  }
  if (matches(i + 1, 3, {"CIA"})) {  // "focaccia"
    add("X");
    return i + 3;
  }
  if (matches(i, 2, {"CC"}) && !(i == 1 && at(0) == 'M')) return handleCC(i);  // not "McClelland"
  if (matches(i, 2, {"CK", "CG", "CQ"})) {
    add("K");
    return i + 2;
  }
  if (matches(i, 2, {"CI", "CE", "CY"})) {  // Italian vs English
    if (matches(i, 3, {"CIO", "CIE", "CIA"})) {
      add("S", "X");
    } else {
      add("S");
    }
    return i + 2;
  }
  add("K");
  if (matches(i + 1, 2, {" C", " Q", " G"})) return i + 3;  // "Mac Caffrey", "Mac Gregor"
  if (matches(i + 1, 1, {"C", "K", "Q"}) && !matches(i + 1, 2, {"CE", "CI"})) return i + 2;
  return i + 1;
}

int Encoder::handleCH(int i) {
  if (i > 0 && matches(i, 4, {"CHAE"})) {  // "Michael"
    add("K", "X");
    return i + 2;
  }
  // Greek roots at the start: "chemistry", "chorus" (but not "chore").
  if (i == 0 &&
      (matches(i + 1, 5, {"HARAC", "HARIS"}) || matches(i + 1, 3, {"HOR", "HYM", "HIA", "HEM"})) &&
      !matches(0, 5, {"CHORE"})) {
    add("K");
    return i + 2;
  }
  // Germanic, Greek, or otherwise "ch" for the "kh" sound.
  if (germanicOrVan() || matches(i - 2, 6, {"ORCHES", "ARCHIT", "ORCHID"}) ||
      matches(i + 2, 1, {"T", "S"}) ||
      ((matches(i - 1, 1, {"A", "O", "U", "E"}) || i == 0) &&
       (matches(i + 2, 1, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}) || i + 1 == last_))) {
    add("K");
    return i + 2;
  }
  if (i > 0) {
    if (matches(0, 2, {"MC"})) {  // "McHugh"
      add("K");
    } else {
      add("X", "K");
    }
  } else {
    add("X");
  }
  return i + 2;
}

int Encoder::handleCC(int i) {
  // "bellocchio" but not "bacchus"
  if (matches(i + 2, 1, {"I", "E", "H"}) && !matches(i + 2, 2, {"HU"})) {
    if ((i == 1 && at(i - 1) == 'A') || matches(i - 1, 5, {"UCCEE", "UCCES"})) {
      add("KS");  // "accident", "accede", "succeed"
    } else {
      add("X");  // "bacci", "bertucci"
    }
    return i + 3;
  }
  add("K");  // Pierce's rule
  return i + 2;
}

int Encoder::handleD(int i) {
  if (matches(i, 2, {"DG"})) {
    if (matches(i + 2, 1, {"I", "E", "Y"})) {  // "edge"
      add("J");
      return i + 3;
    }
    add("TK");  // "Edgar"
    return i + 2;
  }
  add("T");
  return matches(i, 2, {"DT", "DD"}) ? i + 2 : i + 1;
}

int Encoder::handleG(int i) {
  if (at(i + 1) == 'H') return handleGH(i);
  if (at(i + 1) == 'N') {
    if (i == 1 && isVowel(at(0)) && !slavoGermanic_) {
      add("KN", "N");
    } else if (!matches(i + 2, 2, {"EY"}) && at(i + 1) != 'Y' && !slavoGermanic_) {
      add("N", "KN");
    } else {
      add("KN");
    }
    return i + 2;
  }
  if (matches(i + 1, 2, {"LI"}) && !slavoGermanic_) {  // "tagliaro"
    add("KL", "L");
    return i + 2;
  }
  // -ges-, -gep-, -gel-, -gie- at the beginning
  if (i == 0 && (at(i + 1) == 'Y' ||
                 matches(i + 1, 2, {"ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"}))) {
    add("K", "J");
    return i + 2;
  }
  // -ger-, -gy-
  if ((matches(i + 1, 2, {"ER"}) || at(i + 1) == 'Y') &&
      !matches(0, 6, {"DANGER", "RANGER", "MANGER"}) && !matches(i - 1, 1, {"E", "I"}) &&
      !matches(i - 1, 3, {"RGY", "OGY"})) {
    add("K", "J");
    return i + 2;
  }
  // Italian "biaggi"
  if (matches(i + 1, 1, {"E", "I", "Y"}) || matches(i - 1, 4, {"AGGI", "OGGI"})) {
    if (germanicOrVan() || matches(i + 1, 2, {"ET"})) {
      add("K");
    } else if (matches(i + 1, 3, {"IER"})) {
      add("J");
    } else {
      add("J", "K");
    }
    return i + 2;
  }
  add("K");
  return at(i + 1) == 'G' ? i + 2 : i + 1;
}

int Encoder::handleGH(int i) {
  if (i > 0 && !isVowel(at(i - 1))) {
    add("K");
    return i + 2;
  }
  if (i == 0) {  // "ghislane", "ghiradelli"
    add(at(i + 2) == 'I' ? "J" : "K");
    return i + 2;
  }
  // Parker's rule (with refinements): "hugh"
  if ((i > 1 && matches(i - 2, 1, {"B", "H", "D"})) || (i > 2 && matches(i - 3, 1, {"B", "H", "D"})) ||
      (i > 3 && matches(i - 4, 1, {"B", "H"}))) {
    return i + 2;
  }
  // "laugh", "McLaughlin", "cough", "gough", "rough", "tough"
  if (i > 2 && at(i - 1) == 'U' && matches(i - 3, 1, {"C", "G", "L", "R", "T"})) {
    add("F");
  } else if (i > 0 && at(i - 1) != 'I') {
    add("K");
  }
  return i + 2;
}

int Encoder::handleH(int i) {
  // Only kept when first or between vowels, and before a vowel.
  if ((i == 0 || isVowel(at(i - 1))) && isVowel(at(i + 1))) {
    add("H");
    return i + 2;
  }
  return i + 1;
}

int Encoder::handleJ(int i) {
  if (matches(i, 4, {"JOSE"}) || matches(0, 4, {"SAN "})) {  // Spanish "Jose", "San Jacinto"
    if ((i == 0 && at(i + 4) == ' ') || word_.size() == 4 || matches(0, 4, {"SAN "})) {
      add("H");
    } else {
      add("J", "H");
    }
    return i + 1;
  }
  if (i == 0 && !matches(i, 4, {"JOSE"})) {
    add("J", "A");  // "Yankelovich" / "Jankelowicz"
  } else if (isVowel(at(i - 1)) && !slavoGermanic_ && (at(i + 1) == 'A' || at(i + 1) == 'O')) {
    add("J", "H");  // Spanish pronunciation of "bajador"
  } else if (i == last_) {
    add("J", "");
  } else if (!matches(i + 1, 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) &&
             !matches(i - 1, 1, {"S", "K", "L"})) {
    add("J");
  }
  return at(i + 1) == 'J' ? i + 2 : i + 1;
}

int Encoder::handleL(int i) {
  if (at(i + 1) == 'L') {
    // Spanish "cabrillo", "gallegos": the alternate drops the L
    const bool spanish =
        (i == last_ - 2 && matches(i - 1, 4, {"ILLO", "ILLA", "ALLE"})) ||
        ((matches(last_ - 1, 2, {"AS", "OS"}) || matches(last_, 1, {"A", "O"})) &&
         matches(i - 1, 4, {"ALLE"}));
    if (spanish) {
      addPrimary("L");
    } else {
      add("L");
    }
    return i + 2;
  }
  add("L");
  return i + 1;
}

int Encoder::handleP(int i) {
  if (at(i + 1) == 'H') {
    add("F");
    return i + 2;
  }
  add("P");
  return matches(i + 1, 1, {"P", "B"}) ? i + 2 : i + 1;  // "Campbell", "raspberry"
}

int Encoder::handleR(int i) {
  // French "Rogier": a final R after IE is silent in the primary
  if (i == last_ && !slavoGermanic_ && matches(i - 2, 2, {"IE"}) &&
      !matches(i - 4, 2, {"ME", "MA"})) {
    addAlternate("R");
  } else {
    add("R");
  }
  return at(i + 1) == 'R' ? i + 2 : i + 1;
}

int Encoder::handleS(int i) {
  if (matches(i - 1, 3, {"ISL", "YSL"})) return i + 1;  // "island", "carlisle"
  if (i == 0 && matches(i, 5, {"SUGAR"})) {
    add("X", "S");
    return i + 1;
  }
  if (matches(i, 2, {"SH"})) {
    if (matches(i + 1, 4, {"HEIM", "HOEK", "HOLM", "HOLZ"})) {  // Germanic
      add("S");
    } else {
      add("X");
    }
    return i + 2;
  }
  if (matches(i, 3, {"SIO", "SIA"}) || matches(i, 4, {"SIAN"})) {  // Italian, Armenian
    if (slavoGermanic_) {
      add("S");
    } else {
      add("S", "X");
    }
    return i + 3;
  }
  // German and anglicisations: "Smith" matches "Schmidt", "Snider" "Schneider";
  // -sz- in Slavic languages.
  if ((i == 0 && matches(i + 1, 1, {"M", "N", "L", "W"})) || matches(i + 1, 1, {"Z"})) {
    add("S", "X");
    return matches(i + 1, 1, {"Z"}) ? i + 2 : i + 1;
  }
  if (matches(i, 2, {"SC"})) return handleSC(i);
  if (i == last_ && matches(i - 2, 2, {"AI", "OI"})) {  // French "Resnais", "Artois"
    addAlternate("S");
  } else {
    add("S");
  }
  return matches(i + 1, 1, {"S", "Z"}) ? i + 2 : i + 1;
}

int Encoder::handleSC(int i) {
  if (at(i + 2) == 'H') {  // Schlesinger's rule
    if (matches(i + 3, 2, {"OO", "ER", "EN", "UY", "ED", "EM"})) {  // Dutch "school"
      if (matches(i + 3, 2, {"ER", "EN"})) {
        add("X", "SK");  // "Schermerhorn", "Schenker"
      } else {
        add("SK");
      }
    } else if (i == 0 && !isVowel(at(3)) && at(3) != 'W') {
      add("X", "S");
    } else {
      add("X");
    }
  } else if (matches(i + 2, 1, {"I", "E", "Y"})) {
    add("S");
  } else {
    add("SK");
  }
  return i + 3;
}

int Encoder::handleT(int i) {
  if (matches(i, 4, {"TION"}) || matches(i, 3, {"TIA", "TCH"})) {
    add("X");
    return i + 3;
  }
  if (matches(i, 2, {"TH"}) || matches(i, 3, {"TTH"})) {
    // "Thomas", "Thames" or Germanic
    if (matches(i + 2, 2, {"OM", "AM"}) || germanicOrVan()) {
      add("T");
    } else {
      add("0", "T");
    }
    return i + 2;
  }
  add("T");
  return matches(i + 1, 1, {"T", "D"}) ? i + 2 : i + 1;
}

int Encoder::handleW(int i) {
  if (matches(i, 2, {"WR"})) {  // can also be in the middle of a word
    add("R");
    return i + 2;
  }
  if (i == 0 && (isVowel(at(i + 1)) || matches(i, 2, {"WH"}))) {
    if (isVowel(at(i + 1))) {
      add("A", "F");  // "Wasserman" should match "Vasserman"
    } else {
      add("A");  // "Uomo" should match "Womo"
    }
    return i + 1;
  }
  // "Arnow" should match "Arnoff"
  if ((i == last_ && isVowel(at(i - 1))) ||
      matches(i - 1, 5, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) || matches(0, 3, {"SCH"})) {
    addAlternate("F");
    return i + 1;
  }
  if (matches(i, 4, {"WICZ", "WITZ"})) {  // Polish "Filipowicz"
    add("TS", "FX");
    return i + 4;
  }
  return i + 1;
}

int Encoder::handleX(int i) {
  if (i == 0) {  // "Xavier"
    add("S");
    return i + 1;
  }
  // French "breaux": a final X after IAU, EAU, AU or OU is silent
  if (!(i == last_ && (matches(i - 3, 3, {"IAU", "EAU"}) || matches(i - 2, 2, {"AU", "OU"})))) {
    add("KS");
  }
  return matches(i + 1, 1, {"C", "X"}) ? i + 2 : i + 1;
}

int Encoder::handleZ(int i) {
  if (at(i + 1) == 'H') {  // Chinese pinyin "Zhao"
    add("J");
    return i + 2;
  }
  if (matches(i + 1, 2, {"ZO", "ZI", "ZA"}) || (slavoGermanic_ && i > 0 && at(i - 1) != 'T')) {
    add("S", "TS");
  } else {
    add("S");
  }
  return at(i + 1) == 'Z' ? i + 2 : i + 1;
}

}  // namespace

DoubleMetaphoneCode doubleMetaphone(std::string_view word, std::size_t maxLength) {
  return Encoder(word, maxLength).run();
}

}  // namespace nser::linkage
