// The name tables. Weights: 100 = very common, 10 = ordinary, 2-3 = rare.
#include "synth/name_lists.h"

#include <algorithm>
#include <iterator>

namespace nser::synth {
namespace {

constexpr WeightedName kMaleGeneral[] = {
    {"Ali", 60}, {"Ahmed", 55}, {"Hassan", 35}, {"Hussain", 35}, {"Usman", 30}, {"Bilal", 28}, {"Imran", 30},
    {"Asif", 30}, {"Tariq", 25}, {"Khalid", 25}, {"Shahid", 25}, {"Zahid", 20}, {"Sajid", 20}, {"Naveed", 18},
    {"Kashif", 18}, {"Faisal", 20}, {"Irfan", 20}, {"Arshad", 20}, {"Javed", 22}, {"Iqbal", 22}, {"Rashid", 20},
    {"Nadeem", 18}, {"Waseem", 18}, {"Akram", 18}, {"Aslam", 22}, {"Anwar", 18}, {"Akbar", 15}, {"Saleem", 18},
    {"Shafiq", 15}, {"Rafiq", 18}, {"Siddique", 15}, {"Yousaf", 18}, {"Younis", 15}, {"Ibrahim", 15},
    {"Ismail", 15}, {"Ishaq", 12}, {"Yaqoob", 14}, {"Qasim", 18}, {"Hamza", 20}, {"Umar", 22}, {"Abdullah", 22},
    {"Abdul Rehman", 18}, {"Abdul Ghaffar", 10}, {"Abdul Qadir", 10}, {"Abdul Razzaq", 10}, {"Abdul Majeed", 10},
    {"Ghulam Rasool", 12}, {"Ghulam Mustafa", 12}, {"Ghulam Abbas", 10}, {"Ghulam Hussain", 10},
    {"Noor Muhammad", 12}, {"Allah Ditta", 10}, {"Zulfiqar", 12}, {"Mushtaq", 14}, {"Ishtiaq", 12},
    {"Riaz", 15}, {"Fayyaz", 10}, {"Ijaz", 12}, {"Ayaz", 10}, {"Nawaz", 15}, {"Shahbaz", 12}, {"Sarfraz", 12},
    {"Mumtaz", 8}, {"Zubair", 14}, {"Haroon", 12}, {"Adnan", 12}, {"Farhan", 12}, {"Danish", 10}, {"Saad", 12},
    {"Zeeshan", 12}, {"Waqas", 14}, {"Shoaib", 12}, {"Junaid", 12}, {"Sohail", 14}, {"Azhar", 12}, {"Mazhar", 10},
    {"Tahir", 14}, {"Naeem", 14}, {"Saeed", 14}, {"Majeed", 10}, {"Hameed", 12}, {"Rasheed", 10}, {"Latif", 10},
    {"Ramzan", 14}, {"Rehmat", 8}, {"Bashir", 14}, {"Nazir", 14}, {"Manzoor", 12}, {"Maqsood", 10}, {"Zafar", 12},
    {"Abbas", 14}, {"Raza", 12}, {"Jafar", 8}, {"Haider", 12}, {"Sadiq", 10}, {"Amjad", 12}, {"Asghar", 12},
    {"Sultan", 8}, {"Zaheer", 8}, {"Mehmood", 14}, {"Masood", 10}, {"Ashraf", 14}, {"Shafi", 8}, {"Ilyas", 12},
};

constexpr WeightedName kMaleSindhi[] = {
    {"Allah Bux", 20}, {"Ali Nawaz", 14}, {"Ghulam Qadir", 12}, {"Ghulam Nabi", 14}, {"Mureed", 10},
    {"Bachal", 8}, {"Dodo", 6}, {"Qurban", 10}, {"Sain Bux", 8}, {"Khuda Bux", 12}, {"Karam", 8}, {"Mithal", 6},
    {"Gul Hassan", 8}, {"Imdad", 10}, {"Nisar", 12}, {"Shaman", 6}, {"Rajab", 8}, {"Wahid Bux", 8},
    {"Haji Khan", 6}, {"Mola Bux", 10}, {"Ali Gohar", 8}, {"Sikandar", 10}, {"Abdul Sattar", 10},
};

constexpr WeightedName kMalePashtun[] = {
    {"Gul Zaman", 14}, {"Sher Ali", 14}, {"Wali", 10}, {"Zar Khan", 8}, {"Gul Khan", 12}, {"Noor Khan", 10},
    {"Bahadar", 10}, {"Fazal", 12}, {"Fazal Rahim", 10}, {"Samiullah", 12}, {"Zia", 10}, {"Rahmatullah", 12},
    {"Hidayatullah", 10}, {"Aimal", 8}, {"Mir Alam", 8}, {"Jan", 8}, {"Shah Wali", 8}, {"Khan Zada", 8},
    {"Amanullah", 12}, {"Sanaullah", 12}, {"Inamullah", 10}, {"Zakir", 8}, {"Taj", 8}, {"Bakht", 8},
    {"Gul Rahman", 10}, {"Habib", 10},
};

constexpr WeightedName kMaleBaloch[] = {
    {"Dad Muhammad", 12}, {"Mir Jan", 10}, {"Bashir Ahmed", 10}, {"Nabi Bux", 10}, {"Jan Muhammad", 14},
    {"Dost Muhammad", 12}, {"Murad", 10}, {"Chakar", 6}, {"Nawab", 6}, {"Sher Jan", 8}, {"Sabir", 8},
    {"Karim Bux", 8}, {"Haji Gul", 6}, {"Hammal", 6}, {"Mir Hassan", 8}, {"Shahdad", 6}, {"Dilawar", 8},
    {"Pir Bux", 8}, {"Nazar", 8}, {"Wahid", 8},
};

constexpr WeightedName kMaleNorthern[] = {
    {"Raja Khan", 6}, {"Shaukat", 10}, {"Sajjad", 12}, {"Zulfikar", 8}, {"Karamat", 8}, {"Mehboob", 10},
    {"Nisar", 10}, {"Sher Baz", 6}, {"Wazir", 8}, {"Amin", 10}, {"Didar", 8}, {"Ghulam Haider", 8},
};

constexpr WeightedName kFemaleGeneral[] = {
    {"Fatima", 40}, {"Zainab", 30}, {"Ayesha", 30}, {"Khadija", 25}, {"Maryam", 25}, {"Amina", 25},
    {"Nasreen", 22}, {"Shazia", 20}, {"Rubina", 18}, {"Parveen", 25}, {"Shabana", 18}, {"Samina", 18},
    {"Nargis", 15}, {"Razia", 18}, {"Sajida", 18}, {"Kausar", 18}, {"Tahira", 15}, {"Naseem", 15}, {"Saima", 20},
    {"Asma", 18}, {"Rukhsana", 18}, {"Bushra", 18}, {"Farzana", 18}, {"Nusrat", 15}, {"Shamim", 15},
    {"Sughra", 15}, {"Kulsoom", 15}, {"Hajra", 12}, {"Sadia", 15}, {"Iqra", 15}, {"Hina", 15}, {"Sana", 15},
    {"Mehwish", 12}, {"Uzma", 12}, {"Rabia", 14}, {"Nazia", 14}, {"Robina", 10}, {"Irum", 10}, {"Amna", 15},
    {"Sobia", 10}, {"Noreen", 12}, {"Naila", 12}, {"Yasmeen", 15}, {"Zubaida", 14}, {"Zahida", 14}, {"Abida", 14},
    {"Shahida", 15}, {"Jameela", 12}, {"Hameeda", 12}, {"Rasheeda", 12}, {"Sakina", 14}, {"Hafsa", 12},
    {"Aqsa", 12}, {"Areeba", 10}, {"Laiba", 10}, {"Mumtaz", 10}, {"Naseeban", 8}, {"Bano", 8}, {"Safia", 12},
    {"Rehana", 14}, {"Nighat", 10}, {"Tasleem", 10}, {"Sadaf", 10}, {"Anum", 10}, {"Sidra", 12}, {"Kiran", 10},
};

constexpr WeightedName kFemaleSindhi[] = {
    {"Marvi", 8}, {"Sassui", 6}, {"Bakhtawar", 8}, {"Janat", 10}, {"Hawa", 10}, {"Sahiba", 8}, {"Zareena", 10},
    {"Hakim Zadi", 6}, {"Mehran", 4}, {"Sabhagi", 6}, {"Sindhu", 4}, {"Noor Jahan", 8}, {"Haseena", 10},
    {"Khatija", 8}, {"Mariam", 8},
};

constexpr WeightedName kFemalePashtun[] = {
    {"Gulalai", 10}, {"Gul Naz", 10}, {"Shazma", 8}, {"Zarmina", 8}, {"Palwasha", 8}, {"Nazo", 6},
    {"Shaista", 12}, {"Zarghuna", 6}, {"Spogmai", 6}, {"Bibi Hawa", 6}, {"Mahzala", 6}, {"Gul Bano", 8},
    {"Zarsanga", 4}, {"Shehnaz", 10},
};

constexpr WeightedName kFemaleBaloch[] = {
    {"Banuk", 6}, {"Hani", 6}, {"Sammi", 6}, {"Gul Bibi", 10}, {"Shahnaz", 10}, {"Mahgul", 8}, {"Mahnaz", 8},
    {"Bibi Sakina", 6}, {"Zar Bibi", 6}, {"Saba", 8}, {"Gul Jan", 8},
};

constexpr WeightedName kFemaleNorthern[] = {
    {"Shireen", 10}, {"Noor Bano", 8}, {"Gul Bano", 8}, {"Zahra", 10}, {"Rozina", 8}, {"Shaheen", 8},
    {"Bilqees", 8}, {"Aziza", 8},
};

constexpr WeightedName kFamilyPunjabi[] = {
    {"Khan", 30}, {"Awan", 15}, {"Gujjar", 15}, {"Jutt", 15}, {"Arain", 15}, {"Rajput", 12}, {"Butt", 12},
    {"Malik", 12}, {"Qureshi", 10}, {"Sheikh", 10}, {"Mughal", 10}, {"Bhatti", 12}, {"Cheema", 8},
    {"Warraich", 8}, {"Sial", 6}, {"Khokhar", 8}, {"Abbasi", 6}, {"Kamboh", 6}, {"Ansari", 8}, {"Hashmi", 6},
    {"Shah", 14}, {"Chaudhry", 10}, {"Gondal", 6}, {"Virk", 5}, {"Dogar", 6}, {"Joiya", 5}, {"Baloch", 5},
};

constexpr WeightedName kFamilySindhi[] = {
    {"Soomro", 14}, {"Shaikh", 12}, {"Memon", 12}, {"Jatoi", 10}, {"Bhutto", 8}, {"Chandio", 10}, {"Magsi", 6},
    {"Abro", 8}, {"Mahar", 10}, {"Junejo", 8}, {"Lashari", 8}, {"Solangi", 8}, {"Khoso", 8}, {"Brohi", 8},
    {"Channa", 8}, {"Samoon", 6}, {"Dahri", 6}, {"Unar", 6}, {"Pirzada", 4}, {"Shah", 14}, {"Qureshi", 6},
    {"Baloch", 8}, {"Khan", 8}, {"Rajput", 5}, {"Kolhi", 4}, {"Meghwar", 4},
};

constexpr WeightedName kFamilyPashtun[] = {
    {"Khan", 60}, {"Yousafzai", 12}, {"Afridi", 12}, {"Khattak", 12}, {"Mohmand", 8}, {"Wazir", 8},
    {"Orakzai", 6}, {"Durrani", 6}, {"Kakar", 10}, {"Achakzai", 8}, {"Bangash", 6}, {"Marwat", 6},
    {"Mahsud", 6}, {"Shinwari", 6}, {"Tareen", 6}, {"Swati", 6}, {"Shah", 10}, {"Gandapur", 4}, {"Jadoon", 6},
};

constexpr WeightedName kFamilyBaloch[] = {
    {"Baloch", 30}, {"Bugti", 10}, {"Marri", 10}, {"Mengal", 10}, {"Rind", 10}, {"Raisani", 6}, {"Jamali", 8},
    {"Zehri", 6}, {"Lehri", 6}, {"Bizenjo", 6}, {"Magsi", 6}, {"Khosa", 6}, {"Jamaldini", 4}, {"Notezai", 4},
    {"Brahui", 6}, {"Khan", 10}, {"Shahwani", 5}, {"Sasoli", 4},
};

constexpr WeightedName kFamilyNorthern[] = {
    {"Abbasi", 10}, {"Raja", 10}, {"Sudhan", 8}, {"Mughal", 8}, {"Chaudhry", 6}, {"Baig", 10}, {"Shah", 10},
    {"Khan", 12}, {"Hunzai", 4}, {"Awan", 6}, {"Qureshi", 4}, {"Rathore", 4},
};

constexpr WeightedName kTitlesPunjabi[] = {{"Haji", 10}, {"Hafiz", 6}, {"Mian", 8}, {"Malik", 8}, {"Chaudhry", 10},
                                           {"Sheikh", 5}, {"Rana", 6}};
constexpr WeightedName kTitlesSindhi[] = {{"Haji", 10}, {"Hafiz", 5}, {"Mian", 5}, {"Sardar", 4}, {"Sheikh", 4},
                                          {"Wadero", 3}};
constexpr WeightedName kTitlesPashtun[] = {{"Haji", 14}, {"Hafiz", 6}, {"Malik", 8}, {"Mian", 4}, {"Sardar", 3}};
constexpr WeightedName kTitlesBaloch[] = {{"Haji", 10}, {"Mir", 10}, {"Sardar", 6}, {"Hafiz", 4}, {"Malik", 4}};
constexpr WeightedName kTitlesNorthern[] = {{"Haji", 10}, {"Raja", 6}, {"Hafiz", 5}, {"Sardar", 5}, {"Mian", 3}};

constexpr WeightedName kSuffixPunjabi[] = {{"Bibi", 40}, {"Begum", 25}, {"Khatoon", 10}, {"Mai", 12}};
constexpr WeightedName kSuffixSindhi[] = {{"Bibi", 25}, {"Begum", 10}, {"Khatoon", 25}, {"Mai", 30}};
constexpr WeightedName kSuffixPashtun[] = {{"Bibi", 50}, {"Begum", 15}, {"Khatoon", 5}, {"Mai", 2}};
constexpr WeightedName kSuffixBaloch[] = {{"Bibi", 45}, {"Begum", 10}, {"Khatoon", 20}, {"Mai", 5}};
constexpr WeightedName kSuffixNorthern[] = {{"Bibi", 30}, {"Begum", 30}, {"Khatoon", 10}, {"Mai", 2}};

constexpr WeightedName kLocalityPunjabi[] = {{"Mohalla", 40}, {"Chak", 20}, {"Basti", 20}, {"Mauza", 15}};
constexpr WeightedName kLocalitySindhi[] = {{"Mohalla", 30}, {"Goth", 40}, {"Village", 15}, {"Paro", 8}};
constexpr WeightedName kLocalityPashtun[] = {{"Mohalla", 30}, {"Village", 30}, {"Kalay", 20}, {"Banda", 10}};
constexpr WeightedName kLocalityBaloch[] = {{"Mohalla", 25}, {"Killi", 35}, {"Goth", 20}, {"Village", 15}};
constexpr WeightedName kLocalityNorthern[] = {{"Mohalla", 35}, {"Village", 40}, {"Dhok", 10}};

constexpr WeightedName kLocalityNames[] = {
    {"Ghausia", 10}, {"Madina", 10}, {"Islampura", 10}, {"Rehmanabad", 8}, {"Farooqabad", 6}, {"Gulshan", 8},
    {"Qadirabad", 6}, {"Faizabad", 8}, {"Noorpur", 8}, {"Hussainabad", 8}, {"Bilal Colony", 6},
    {"Allahabad", 6}, {"Shah Faisal", 5}, {"Usmania", 6}, {"Mustafa Abad", 6}, {"Sultanpur", 6},
    {"Fatehpur", 6}, {"Mir Hazar", 4}, {"Jinnah Colony", 6}, {"Iqbal Town", 6}, {"Gulberg", 4},
    {"Khanpur", 6}, {"Rasool Pur", 5}, {"Shadman", 4}, {"Karimabad", 5}, {"Sabzi Mandi", 4},
    {"Haji Camp", 3}, {"Naya Goth", 4}, {"Purana Qila", 3}, {"Batkhela Road", 2}, {"Chowk Azam", 3},
};

#define NSER_LIST(array) WeightedList(std::begin(array), std::end(array))

const WeightedList& byRegion(const WeightedList (&lists)[kNameRegionCount], NameRegion region) {
  return lists[static_cast<int>(region)];
}

const WeightedList kMaleGeneralList = NSER_LIST(kMaleGeneral);
const WeightedList kFemaleGeneralList = NSER_LIST(kFemaleGeneral);
// Indexed by NameRegion: Punjabi, Sindhi, Pashtun, Baloch, Northern. Punjabi
// names are the general list itself, so the Punjabi regional list repeats it.
const WeightedList kMaleRegional[kNameRegionCount] = {NSER_LIST(kMaleGeneral), NSER_LIST(kMaleSindhi),
                                                      NSER_LIST(kMalePashtun), NSER_LIST(kMaleBaloch),
                                                      NSER_LIST(kMaleNorthern)};
const WeightedList kFemaleRegional[kNameRegionCount] = {NSER_LIST(kFemaleGeneral), NSER_LIST(kFemaleSindhi),
                                                        NSER_LIST(kFemalePashtun), NSER_LIST(kFemaleBaloch),
                                                        NSER_LIST(kFemaleNorthern)};
const WeightedList kFamily[kNameRegionCount] = {NSER_LIST(kFamilyPunjabi), NSER_LIST(kFamilySindhi),
                                                NSER_LIST(kFamilyPashtun), NSER_LIST(kFamilyBaloch),
                                                NSER_LIST(kFamilyNorthern)};
const WeightedList kTitles[kNameRegionCount] = {NSER_LIST(kTitlesPunjabi), NSER_LIST(kTitlesSindhi),
                                                NSER_LIST(kTitlesPashtun), NSER_LIST(kTitlesBaloch),
                                                NSER_LIST(kTitlesNorthern)};
const WeightedList kSuffixes[kNameRegionCount] = {NSER_LIST(kSuffixPunjabi), NSER_LIST(kSuffixSindhi),
                                                  NSER_LIST(kSuffixPashtun), NSER_LIST(kSuffixBaloch),
                                                  NSER_LIST(kSuffixNorthern)};
const WeightedList kLocalities[kNameRegionCount] = {NSER_LIST(kLocalityPunjabi), NSER_LIST(kLocalitySindhi),
                                                    NSER_LIST(kLocalityPashtun), NSER_LIST(kLocalityBaloch),
                                                    NSER_LIST(kLocalityNorthern)};
const WeightedList kLocalityNameList = NSER_LIST(kLocalityNames);
#undef NSER_LIST

constexpr std::string_view kHonorifics[] = {"Syed", "Haji", "Hafiz", "Mian", "Malik", "Chaudhry", "Sheikh", "Rana",
                                           "Sardar", "Mir", "Wadero", "Raja", "Bibi", "Begum", "Khatoon", "Mai"};
constexpr std::string_view kFemaleSuffixes[] = {"Bibi", "Begum", "Khatoon", "Mai"};

}  // namespace

WeightedList::WeightedList(const WeightedName* begin, const WeightedName* end) {
  unsigned total = 0;
  for (const WeightedName* it = begin; it != end; ++it) {
    total += it->weight;
    names_.push_back(it->name);
    cumulative_.push_back(total);
  }
}

std::string_view WeightedList::pick(RandomStream& rng) const {
  const auto u = static_cast<unsigned>(rng.below(cumulative_.back()));
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return names_[static_cast<std::size_t>(it - cumulative_.begin())];
}

std::string_view pickMaleGiven(NameRegion region, RandomStream& rng) {
  return rng.chance(kRegionalGivenShare) ? byRegion(kMaleRegional, region).pick(rng) : kMaleGeneralList.pick(rng);
}
std::string_view pickFemaleGiven(NameRegion region, RandomStream& rng) {
  return rng.chance(kRegionalGivenShare) ? byRegion(kFemaleRegional, region).pick(rng) : kFemaleGeneralList.pick(rng);
}
std::string_view pickFamilyName(NameRegion region, RandomStream& rng) { return byRegion(kFamily, region).pick(rng); }
std::string_view pickMaleTitle(NameRegion region, RandomStream& rng) { return byRegion(kTitles, region).pick(rng); }
std::string_view pickFemaleSuffix(NameRegion region, RandomStream& rng) { return byRegion(kSuffixes, region).pick(rng); }
std::string_view pickLocalityKind(NameRegion region, RandomStream& rng) { return byRegion(kLocalities, region).pick(rng); }
std::string_view pickLocalityName(RandomStream& rng) { return kLocalityNameList.pick(rng); }

bool isHonorificToken(std::string_view token) {
  return std::find(std::begin(kHonorifics), std::end(kHonorifics), token) != std::end(kHonorifics);
}
bool isFemaleSuffixToken(std::string_view token) {
  return std::find(std::begin(kFemaleSuffixes), std::end(kFemaleSuffixes), token) != std::end(kFemaleSuffixes);
}

}  // namespace nser::synth
