/**
 * Sample rate decks with made-up prices in EUR, for `npm run dev` seeding and tests. The
 * call deck follows a carrier deck's shape: a country code for fixed lines, longer prefixes
 * for mobile, toll-free, shared-cost and premium ranges, per-second or 6-second billing
 * where carriers commonly use it (NANP 6/6, NL 1/1, CZ and SK 30/6).
 */

export const SAMPLE_CALL_DECK_VERSION = "sample-1";
export const SAMPLE_MESSAGE_DECK_VERSION = "sample-1";
export const SAMPLE_SERVICE_RATES_VERSION = "sample-1";

export const SAMPLE_CALL_DECK_CSV = `prefix,destination,rate_per_minute,initial_increment,subsequent_increment
49,Germany fixed,0.0120,60,60
4930,Germany fixed Berlin,0.0100,60,60
4940,Germany fixed Hamburg,0.0100,60,60
4989,Germany fixed Munich,0.0100,60,60
4969,Germany fixed Frankfurt,0.0100,60,60
49221,Germany fixed Cologne,0.0100,60,60
49211,Germany fixed Duesseldorf,0.0100,60,60
49711,Germany fixed Stuttgart,0.0100,60,60
4915,Germany mobile,0.0350,60,60
49151,Germany mobile,0.0350,60,60
49152,Germany mobile,0.0350,60,60
49155,Germany mobile,0.0350,60,60
49157,Germany mobile,0.0350,60,60
49159,Germany mobile,0.0350,60,60
4916,Germany mobile,0.0350,60,60
49160,Germany mobile,0.0350,60,60
49162,Germany mobile,0.0350,60,60
49163,Germany mobile,0.0350,60,60
4917,Germany mobile,0.0350,60,60
49170,Germany mobile,0.0350,60,60
49171,Germany mobile,0.0350,60,60
49172,Germany mobile,0.0350,60,60
49173,Germany mobile,0.0350,60,60
49174,Germany mobile,0.0350,60,60
49175,Germany mobile,0.0350,60,60
49176,Germany mobile,0.0350,60,60
49177,Germany mobile,0.0350,60,60
49178,Germany mobile,0.0350,60,60
49179,Germany mobile,0.0350,60,60
4932,Germany national VoIP,0.0120,60,60
49800,Germany toll-free,0.0000,60,60
49180,Germany shared-cost,0.1400,60,60
49700,Germany personal numbers,0.2000,60,60
49900,Germany premium-rate,2.5000,60,60
49137,Germany televoting,0.5000,60,60
44,United Kingdom fixed,0.0110,60,60
4420,United Kingdom fixed London,0.0090,60,60
44121,United Kingdom fixed Birmingham,0.0100,60,60
44161,United Kingdom fixed Manchester,0.0100,60,60
44131,United Kingdom fixed Edinburgh,0.0100,60,60
4429,United Kingdom fixed Cardiff,0.0100,60,60
443,United Kingdom non-geographic 03,0.0110,60,60
447,United Kingdom mobile,0.0250,60,60
4473,United Kingdom mobile,0.0250,60,60
4474,United Kingdom mobile,0.0250,60,60
4475,United Kingdom mobile,0.0250,60,60
4477,United Kingdom mobile,0.0250,60,60
4478,United Kingdom mobile,0.0250,60,60
4479,United Kingdom mobile,0.0250,60,60
4470,United Kingdom personal numbers,0.3000,60,60
4476,United Kingdom pagers,0.3000,60,60
4455,United Kingdom corporate numbers,0.0500,60,60
4456,United Kingdom VoIP,0.0110,60,60
44800,United Kingdom toll-free,0.0000,60,60
44808,United Kingdom toll-free,0.0000,60,60
44843,United Kingdom service 084,0.0800,60,60
44844,United Kingdom service 084,0.0800,60,60
44845,United Kingdom service 084,0.0800,60,60
44870,United Kingdom service 087,0.1000,60,60
44871,United Kingdom service 087,0.1200,60,60
44872,United Kingdom service 087,0.1200,60,60
44873,United Kingdom service 087,0.1200,60,60
449,United Kingdom premium-rate,1.5000,60,60
44909,United Kingdom premium-rate adult,3.0000,60,60
1,United States,0.0080,6,6
1800,United States toll-free,0.0000,6,6
1833,United States toll-free,0.0000,6,6
1844,United States toll-free,0.0000,6,6
1855,United States toll-free,0.0000,6,6
1866,United States toll-free,0.0000,6,6
1877,United States toll-free,0.0000,6,6
1888,United States toll-free,0.0000,6,6
1900,United States premium-rate,2.0000,60,60
1204,Canada,0.0090,6,6
1226,Canada,0.0090,6,6
1236,Canada,0.0090,6,6
1250,Canada,0.0090,6,6
1289,Canada,0.0090,6,6
1306,Canada,0.0090,6,6
1343,Canada,0.0090,6,6
1365,Canada,0.0090,6,6
1403,Canada,0.0090,6,6
1416,Canada,0.0090,6,6
1418,Canada,0.0090,6,6
1431,Canada,0.0090,6,6
1437,Canada,0.0090,6,6
1438,Canada,0.0090,6,6
1450,Canada,0.0090,6,6
1506,Canada,0.0090,6,6
1514,Canada,0.0090,6,6
1519,Canada,0.0090,6,6
1548,Canada,0.0090,6,6
1579,Canada,0.0090,6,6
1581,Canada,0.0090,6,6
1587,Canada,0.0090,6,6
1604,Canada,0.0090,6,6
1613,Canada,0.0090,6,6
1639,Canada,0.0090,6,6
1647,Canada,0.0090,6,6
1672,Canada,0.0090,6,6
1705,Canada,0.0090,6,6
1709,Canada,0.0090,6,6
1742,Canada,0.0090,6,6
1778,Canada,0.0090,6,6
1780,Canada,0.0090,6,6
1782,Canada,0.0090,6,6
1807,Canada,0.0090,6,6
1819,Canada,0.0090,6,6
1825,Canada,0.0090,6,6
1867,Canada,0.0090,6,6
1873,Canada,0.0090,6,6
1902,Canada,0.0090,6,6
1905,Canada,0.0090,6,6
1787,Puerto Rico,0.0150,6,6
1939,Puerto Rico,0.0150,6,6
1809,Dominican Republic,0.0900,60,60
1829,Dominican Republic,0.0900,60,60
1849,Dominican Republic,0.0900,60,60
1876,Jamaica,0.1800,60,60
1868,Trinidad and Tobago,0.1200,60,60
1246,Barbados,0.1500,60,60
1242,Bahamas,0.1200,60,60
33,France fixed,0.0110,60,60
336,France mobile,0.0300,60,60
337,France mobile,0.0300,60,60
339,France VoIP,0.0110,60,60
3380,France toll-free,0.0000,60,60
3381,France shared-cost,0.0800,60,60
3382,France shared-cost,0.1200,60,60
3389,France premium-rate,0.8000,60,60
33899,France premium-rate,1.2000,60,60
34,Spain fixed,0.0120,60,60
346,Spain mobile,0.0300,60,60
347,Spain mobile,0.0300,60,60
34900,Spain toll-free,0.0000,60,60
34901,Spain shared-cost,0.0600,60,60
34902,Spain shared-cost,0.0800,60,60
34803,Spain premium-rate,1.2000,60,60
34806,Spain premium-rate,1.2000,60,60
34807,Spain premium-rate,1.5000,60,60
39,Italy fixed,0.0120,60,60
393,Italy mobile,0.0400,60,60
39800,Italy toll-free,0.0000,60,60
39803,Italy toll-free,0.0000,60,60
39848,Italy shared-cost,0.0500,60,60
39892,Italy premium-rate,1.5000,60,60
39895,Italy premium-rate,1.5000,60,60
39899,Italy premium-rate,2.0000,60,60
31,Netherlands fixed,0.0130,1,1
316,Netherlands mobile,0.0600,1,1
3185,Netherlands VoIP,0.0130,1,1
3188,Netherlands corporate,0.0130,1,1
31800,Netherlands toll-free,0.0000,60,60
31900,Netherlands premium-rate,0.9000,60,60
31906,Netherlands premium-rate,1.0000,60,60
31909,Netherlands premium-rate,1.0000,60,60
420,Czechia fixed,0.0150,30,6
4206,Czechia mobile,0.0450,30,6
4207,Czechia mobile,0.0450,30,6
420800,Czechia toll-free,0.0000,60,60
420840,Czechia shared-cost,0.0600,60,60
420900,Czechia premium-rate,1.1000,60,60
420906,Czechia premium-rate,1.1000,60,60
420909,Czechia premium-rate,1.1000,60,60
420910,Czechia VoIP,0.0150,30,6
421,Slovakia fixed,0.0200,30,6
4219,Slovakia mobile,0.0600,30,6
421800,Slovakia toll-free,0.0000,60,60
421850,Slovakia shared-cost,0.0700,60,60
421900,Slovakia premium-rate,1.0000,60,60
48,Poland fixed,0.0140,60,60
4845,Poland mobile,0.0300,60,60
4850,Poland mobile,0.0300,60,60
4851,Poland mobile,0.0300,60,60
4853,Poland mobile,0.0300,60,60
4857,Poland mobile,0.0300,60,60
4860,Poland mobile,0.0300,60,60
4866,Poland mobile,0.0300,60,60
4869,Poland mobile,0.0300,60,60
4872,Poland mobile,0.0300,60,60
4873,Poland mobile,0.0300,60,60
4878,Poland mobile,0.0300,60,60
4879,Poland mobile,0.0300,60,60
4888,Poland mobile,0.0300,60,60
4839,Poland VoIP,0.0140,60,60
48800,Poland toll-free,0.0000,60,60
48801,Poland shared-cost,0.0600,60,60
48700,Poland premium-rate,1.3000,60,60
48701,Poland premium-rate,1.3000,60,60
48703,Poland premium-rate,1.3000,60,60
48704,Poland premium-rate,1.3000,60,60
48708,Poland premium-rate,1.3000,60,60
43,Austria fixed,0.0140,60,60
4366,Austria mobile,0.0400,60,60
4367,Austria mobile,0.0400,60,60
4368,Austria mobile,0.0400,60,60
4369,Austria mobile,0.0400,60,60
32,Belgium fixed,0.0140,60,60
324,Belgium mobile,0.0450,60,60
41,Switzerland fixed,0.0200,60,60
4175,Switzerland mobile,0.1200,60,60
4176,Switzerland mobile,0.1200,60,60
4177,Switzerland mobile,0.1200,60,60
4178,Switzerland mobile,0.1200,60,60
4179,Switzerland mobile,0.1200,60,60
45,Denmark fixed,0.0150,60,60
452,Denmark mobile,0.0300,60,60
453,Denmark mobile,0.0300,60,60
454,Denmark mobile,0.0300,60,60
455,Denmark mobile,0.0300,60,60
456,Denmark mobile,0.0300,60,60
457,Denmark mobile,0.0300,60,60
458,Denmark mobile,0.0300,60,60
46,Sweden fixed,0.0120,60,60
467,Sweden mobile,0.0350,60,60
47,Norway fixed,0.0150,60,60
474,Norway mobile,0.0350,60,60
479,Norway mobile,0.0350,60,60
358,Finland fixed,0.0250,60,60
3584,Finland mobile,0.0600,60,60
35850,Finland mobile,0.0600,60,60
353,Ireland fixed,0.0150,60,60
3538,Ireland mobile,0.0400,60,60
351,Portugal fixed,0.0150,60,60
3519,Portugal mobile,0.0350,60,60
30,Greece fixed,0.0150,60,60
306,Greece mobile,0.0450,60,60
36,Hungary fixed,0.0180,60,60
3620,Hungary mobile,0.0500,60,60
3630,Hungary mobile,0.0500,60,60
3650,Hungary mobile,0.0500,60,60
3670,Hungary mobile,0.0500,60,60
40,Romania fixed,0.0180,60,60
407,Romania mobile,0.0450,60,60
359,Bulgaria fixed,0.0300,60,60
35987,Bulgaria mobile,0.0800,60,60
35988,Bulgaria mobile,0.0800,60,60
35989,Bulgaria mobile,0.0800,60,60
35998,Bulgaria mobile,0.0800,60,60
385,Croatia fixed,0.0250,60,60
3859,Croatia mobile,0.0800,60,60
386,Slovenia fixed,0.0250,60,60
38630,Slovenia mobile,0.0800,60,60
38631,Slovenia mobile,0.0800,60,60
38640,Slovenia mobile,0.0800,60,60
38641,Slovenia mobile,0.0800,60,60
38651,Slovenia mobile,0.0800,60,60
38664,Slovenia mobile,0.0800,60,60
38670,Slovenia mobile,0.0800,60,60
38671,Slovenia mobile,0.0800,60,60
370,Lithuania fixed,0.0250,60,60
3706,Lithuania mobile,0.0600,60,60
371,Latvia fixed,0.0250,60,60
3712,Latvia mobile,0.0600,60,60
372,Estonia fixed,0.0250,60,60
3725,Estonia mobile,0.0700,60,60
352,Luxembourg fixed,0.0150,60,60
352621,Luxembourg mobile,0.0600,60,60
352661,Luxembourg mobile,0.0600,60,60
352671,Luxembourg mobile,0.0600,60,60
352691,Luxembourg mobile,0.0600,60,60
356,Malta fixed,0.0300,60,60
35679,Malta mobile,0.0800,60,60
35699,Malta mobile,0.0800,60,60
357,Cyprus fixed,0.0250,60,60
3579,Cyprus mobile,0.0600,60,60
354,Iceland fixed,0.0300,60,60
3546,Iceland mobile,0.0800,60,60
3547,Iceland mobile,0.0800,60,60
3548,Iceland mobile,0.0800,60,60
380,Ukraine fixed,0.1200,60,60
38050,Ukraine mobile,0.1500,60,60
38063,Ukraine mobile,0.1500,60,60
38066,Ukraine mobile,0.1500,60,60
38067,Ukraine mobile,0.1500,60,60
38068,Ukraine mobile,0.1500,60,60
38073,Ukraine mobile,0.1500,60,60
38093,Ukraine mobile,0.1500,60,60
38095,Ukraine mobile,0.1500,60,60
38096,Ukraine mobile,0.1500,60,60
38097,Ukraine mobile,0.1500,60,60
38098,Ukraine mobile,0.1500,60,60
38099,Ukraine mobile,0.1500,60,60
381,Serbia fixed,0.1000,60,60
3816,Serbia mobile,0.1800,60,60
90,Turkey fixed,0.0600,60,60
905,Turkey mobile,0.1500,60,60
61,Australia fixed,0.0200,60,60
614,Australia mobile,0.0400,60,60
64,New Zealand fixed,0.0300,60,60
642,New Zealand mobile,0.0700,60,60
81,Japan fixed,0.0500,60,60
8170,Japan mobile,0.1100,60,60
8180,Japan mobile,0.1100,60,60
8190,Japan mobile,0.1100,60,60
86,China fixed,0.0150,60,60
861,China mobile,0.0150,60,60
852,Hong Kong fixed,0.0200,60,60
8525,Hong Kong mobile,0.0250,60,60
8526,Hong Kong mobile,0.0250,60,60
8529,Hong Kong mobile,0.0250,60,60
65,Singapore fixed,0.0150,60,60
658,Singapore mobile,0.0150,60,60
659,Singapore mobile,0.0150,60,60
82,South Korea fixed,0.0250,60,60
8210,South Korea mobile,0.0400,60,60
91,India fixed,0.0250,60,60
916,India mobile,0.0250,60,60
917,India mobile,0.0250,60,60
918,India mobile,0.0250,60,60
919,India mobile,0.0250,60,60
63,Philippines fixed,0.1200,60,60
639,Philippines mobile,0.1600,60,60
66,Thailand fixed,0.0400,60,60
666,Thailand mobile,0.0500,60,60
668,Thailand mobile,0.0500,60,60
669,Thailand mobile,0.0500,60,60
60,Malaysia fixed,0.0300,60,60
601,Malaysia mobile,0.0500,60,60
62,Indonesia fixed,0.0700,60,60
628,Indonesia mobile,0.0900,60,60
84,Vietnam fixed,0.0800,60,60
843,Vietnam mobile,0.0900,60,60
845,Vietnam mobile,0.0900,60,60
847,Vietnam mobile,0.0900,60,60
848,Vietnam mobile,0.0900,60,60
849,Vietnam mobile,0.0900,60,60
92,Pakistan fixed,0.0900,60,60
923,Pakistan mobile,0.1100,60,60
880,Bangladesh fixed,0.0500,60,60
8801,Bangladesh mobile,0.0500,60,60
55,Brazil fixed,0.0300,60,60
55119,Brazil mobile,0.0800,60,60
55219,Brazil mobile,0.0800,60,60
55319,Brazil mobile,0.0800,60,60
55419,Brazil mobile,0.0800,60,60
55519,Brazil mobile,0.0800,60,60
55619,Brazil mobile,0.0800,60,60
55719,Brazil mobile,0.0800,60,60
55819,Brazil mobile,0.0800,60,60
52,Mexico fixed,0.0250,60,60
521,Mexico mobile,0.0400,60,60
54,Argentina fixed,0.0400,60,60
549,Argentina mobile,0.1200,60,60
56,Chile fixed,0.0400,60,60
569,Chile mobile,0.0700,60,60
57,Colombia fixed,0.0400,60,60
573,Colombia mobile,0.0600,60,60
51,Peru fixed,0.0400,60,60
519,Peru mobile,0.0800,60,60
27,South Africa fixed,0.0500,60,60
2760,South Africa mobile,0.1200,60,60
2761,South Africa mobile,0.1200,60,60
2762,South Africa mobile,0.1200,60,60
2763,South Africa mobile,0.1200,60,60
2764,South Africa mobile,0.1200,60,60
2765,South Africa mobile,0.1200,60,60
2766,South Africa mobile,0.1200,60,60
2767,South Africa mobile,0.1200,60,60
2768,South Africa mobile,0.1200,60,60
2771,South Africa mobile,0.1200,60,60
2772,South Africa mobile,0.1200,60,60
2773,South Africa mobile,0.1200,60,60
2774,South Africa mobile,0.1200,60,60
2776,South Africa mobile,0.1200,60,60
2778,South Africa mobile,0.1200,60,60
2779,South Africa mobile,0.1200,60,60
2781,South Africa mobile,0.1200,60,60
2782,South Africa mobile,0.1200,60,60
2783,South Africa mobile,0.1200,60,60
2784,South Africa mobile,0.1200,60,60
234,Nigeria fixed,0.1300,60,60
23470,Nigeria mobile,0.1400,60,60
23480,Nigeria mobile,0.1400,60,60
23481,Nigeria mobile,0.1400,60,60
23490,Nigeria mobile,0.1400,60,60
23491,Nigeria mobile,0.1400,60,60
254,Kenya fixed,0.1200,60,60
2547,Kenya mobile,0.1500,60,60
212,Morocco fixed,0.1500,60,60
2126,Morocco mobile,0.4000,60,60
2127,Morocco mobile,0.4000,60,60
20,Egypt fixed,0.1200,60,60
2010,Egypt mobile,0.1500,60,60
2011,Egypt mobile,0.1500,60,60
2012,Egypt mobile,0.1500,60,60
2015,Egypt mobile,0.1500,60,60
972,Israel fixed,0.0300,60,60
9725,Israel mobile,0.0600,60,60
971,United Arab Emirates fixed,0.1500,60,60
9715,United Arab Emirates mobile,0.1800,60,60
966,Saudi Arabia fixed,0.1200,60,60
9665,Saudi Arabia mobile,0.1500,60,60
7,Russia fixed,0.1000,60,60
79,Russia mobile,0.2000,60,60
870,Inmarsat satellite,6.0000,60,60
8816,Iridium satellite,7.0000,30,30
8817,Iridium satellite,7.0000,30,30
882,International networks,3.0000,60,60
883,International networks,3.0000,60,60
`;

/** 32 countries × sms, mms, whatsapp, and a `*` fallback row per channel. */
export const SAMPLE_MESSAGE_DECK_CSV = `country,channel,price_per_fragment
DE,sms,0.075
DE,mms,0.20
DE,whatsapp,0.12
GB,sms,0.040
GB,mms,0.15
GB,whatsapp,0.05
US,sms,0.008
US,mms,0.02
US,whatsapp,0.025
CA,sms,0.008
CA,mms,0.02
CA,whatsapp,0.025
FR,sms,0.070
FR,mms,0.20
FR,whatsapp,0.10
ES,sms,0.065
ES,mms,0.18
ES,whatsapp,0.06
IT,sms,0.070
IT,mms,0.20
IT,whatsapp,0.07
NL,sms,0.090
NL,mms,0.25
NL,whatsapp,0.12
CZ,sms,0.045
CZ,mms,0.15
CZ,whatsapp,0.05
SK,sms,0.050
SK,mms,0.15
SK,whatsapp,0.05
PL,sms,0.030
PL,mms,0.12
PL,whatsapp,0.05
AT,sms,0.080
AT,mms,0.20
AT,whatsapp,0.10
BE,sms,0.085
BE,mms,0.22
BE,whatsapp,0.10
CH,sms,0.060
CH,mms,0.20
CH,whatsapp,0.08
DK,sms,0.045
DK,mms,0.15
DK,whatsapp,0.09
SE,sms,0.050
SE,mms,0.15
SE,whatsapp,0.08
NO,sms,0.055
NO,mms,0.16
NO,whatsapp,0.07
FI,sms,0.080
FI,mms,0.20
FI,whatsapp,0.08
IE,sms,0.060
IE,mms,0.18
IE,whatsapp,0.07
PT,sms,0.035
PT,mms,0.12
PT,whatsapp,0.03
GR,sms,0.060
GR,mms,0.18
GR,whatsapp,0.06
HU,sms,0.080
HU,mms,0.20
HU,whatsapp,0.09
RO,sms,0.070
RO,mms,0.18
RO,whatsapp,0.08
AU,sms,0.045
AU,mms,0.15
AU,whatsapp,0.05
JP,sms,0.080
JP,mms,0.25
JP,whatsapp,0.09
IN,sms,0.010
IN,mms,0.05
IN,whatsapp,0.01
BR,sms,0.025
BR,mms,0.10
BR,whatsapp,0.06
MX,sms,0.030
MX,mms,0.10
MX,whatsapp,0.03
ZA,sms,0.030
ZA,mms,0.12
ZA,whatsapp,0.07
AE,sms,0.040
AE,mms,0.15
AE,whatsapp,0.05
SG,sms,0.040
SG,mms,0.12
SG,whatsapp,0.06
IL,sms,0.090
IL,mms,0.25
IL,whatsapp,0.03
*,sms,0.120
*,mms,0.300
*,whatsapp,0.100
`;

/** The body of `PUT /v1/rates/services`, prices per minute. */
export const SAMPLE_SERVICE_RATES = {
  stt: "0.02",
  "ai-voice-agents": "0.10",
  "conversation-intelligence": "0.03",
  "toll-free-inbound": "0.05",
} as const;
