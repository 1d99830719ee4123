import provinces from './provinces-2025.json';
import type { Region } from './names';
import { Random, Stream, Weighted } from './random';

/**
 * Administrative geography before and after 1 July 2025: the real 63 and 34 provinces, and
 * synthetic districts and communes with the real shape (about 700 districts and 10,000
 * communes merged into 3,321 communes, each new commune keeping the code of one of the communes
 * it merged, codes otherwise never reused). It depends on the seed only, never on the number
 * of citizens, so that an address generated for a small data set exists in a large one.
 */

export interface LegacyProvince {
  code: string;
  /** Short name, e.g. `Hà Giang`. */
  name: string;
  /** Official name with its kind, e.g. `Tỉnh Hà Giang`. */
  fullName: string;
  kind: 'CITY' | 'PROVINCE';
  successorCode: string;
  region: Region;
  /** Population in thousands (2023 estimates, rounded): weights where people live and are born. */
  population: number;
  ethnicities: Weighted<string>;
}

export interface Province {
  code: string;
  name: string;
  fullName: string;
  kind: 'CITY' | 'PROVINCE';
  legacyCodes: string[];
  population: number;
  /** Since when it exists in its present form: 1 July 2025, or later for a province that became a city. */
  validFrom: string;
}

export interface LegacyDistrict {
  code: string;
  fullName: string;
  baseName: string;
  kind: 'URBAN_DISTRICT' | 'CITY' | 'TOWN' | 'DISTRICT';
  provinceCode: string;
  /** A current commune for island districts that became one special zone, else the province. */
  successorCode: string;
}

export interface LegacyCommune {
  code: string;
  fullName: string;
  baseName: string;
  kind: 'WARD' | 'COMMUNE' | 'TOWNSHIP';
  districtCode: string;
  provinceCode: string;
  /** The current commune that took it over, or took most of it when it was split. */
  successor: Commune;
  /** For a commune split between several: the other current communes, each with the villages or streets it took. */
  alsoTo: { successor: Commune; parts: string[] }[];
}

export interface Commune {
  code: string;
  fullName: string;
  baseName: string;
  kind: 'WARD' | 'COMMUNE' | 'SPECIAL_ZONE';
  provinceCode: string;
  legacy: LegacyCommune[];
}

export interface Geography {
  legacyProvinces: LegacyProvince[];
  provinces: Province[];
  legacyDistricts: LegacyDistrict[];
  legacyCommunes: LegacyCommune[];
  communes: Commune[];
  legacyProvinceByCode: Map<string, LegacyProvince>;
  provinceByCode: Map<string, Province>;
  communeByCode: Map<string, Commune>;
  legacyCommuneByCode: Map<string, LegacyCommune>;
  /** Legacy communes where people live, weighted by population, per legacy province. */
  residenceIn: Map<string, Weighted<LegacyCommune>>;
  /** Legacy provinces weighted by population. */
  legacyProvinceWeights: Weighted<LegacyProvince>;
  /** Current provinces weighted by population. */
  provinceWeights: Weighted<Province>;
}

const POPULATION: Record<string, number> = {
  '01': 8587,
  '02': 908,
  '04': 547,
  '06': 327,
  '08': 812,
  '10': 775,
  '11': 647,
  '12': 494,
  '14': 1300,
  '15': 847,
  '17': 875,
  '19': 1336,
  '20': 802,
  '22': 1380,
  '24': 1922,
  '25': 1507,
  '26': 1213,
  '27': 1517,
  '30': 1956,
  '31': 2105,
  '33': 1300,
  '34': 1880,
  '35': 890,
  '36': 1890,
  '37': 1010,
  '38': 3760,
  '40': 3470,
  '42': 1330,
  '44': 910,
  '45': 650,
  '46': 1160,
  '48': 1250,
  '49': 1520,
  '51': 1250,
  '52': 1500,
  '54': 880,
  '56': 1260,
  '58': 600,
  '60': 1250,
  '62': 580,
  '64': 1610,
  '66': 1930,
  '67': 680,
  '68': 1330,
  '70': 1030,
  '72': 1190,
  '74': 2760,
  '75': 3310,
  '77': 1190,
  '79': 9460,
  '80': 1730,
  '82': 1790,
  '83': 1300,
  '84': 1020,
  '86': 1030,
  '87': 1600,
  '89': 1900,
  '91': 1760,
  '92': 1260,
  '93': 730,
  '94': 1200,
  '95': 920,
  '96': 1210,
};

/** Communes per current province (3,321 in all) and how many of them are wards. */
const COMMUNE_COUNTS: Record<string, [communes: number, wards: number]> = {
  '01': [126, 51],
  '46': [40, 21],
  '12': [38, 2],
  '11': [45, 3],
  '14': [75, 8],
  '20': [65, 4],
  '22': [54, 30],
  '38': [166, 19],
  '40': [130, 11],
  '42': [69, 9],
  '04': [56, 3],
  '08': [124, 7],
  '15': [99, 10],
  '19': [92, 15],
  '25': [148, 15],
  '24': [99, 33],
  '33': [104, 11],
  '31': [114, 45],
  '37': [129, 32],
  '44': [78, 8],
  '48': [94, 23],
  '51': [96, 9],
  '52': [135, 25],
  '56': [65, 16],
  '68': [124, 20],
  '66': [102, 14],
  '79': [168, 113],
  '75': [95, 23],
  '80': [96, 14],
  '92': [103, 31],
  '86': [124, 19],
  '82': [102, 20],
  '96': [64, 9],
  '91': [102, 14],
};

interface SpecialZone {
  name: string;
  legacyProvince: string;
  district: string;
  districtKind: LegacyDistrict['kind'];
  /** Legacy communes it merged; several island districts had none. */
  communes: string[];
}

/** The 13 special zones (đặc khu), island districts before 2025. */
const SPECIAL_ZONES: SpecialZone[] = [
  {
    name: 'Vân Đồn',
    legacyProvince: '22',
    district: 'Vân Đồn',
    districtKind: 'DISTRICT',
    communes: [
      'Thị trấn Cái Rồng',
      'Xã Đông Xá',
      'Xã Hạ Long',
      'Xã Quan Lạn',
      'Xã Minh Châu',
      'Xã Ngọc Vừng',
      'Xã Bản Sen',
      'Xã Thắng Lợi',
      'Xã Đoàn Kết',
      'Xã Bình Dân',
      'Xã Đài Xuyên',
      'Xã Vạn Yên',
    ],
  },
  {
    name: 'Cô Tô',
    legacyProvince: '22',
    district: 'Cô Tô',
    districtKind: 'DISTRICT',
    communes: ['Thị trấn Cô Tô', 'Xã Đồng Tiến', 'Xã Thanh Lân'],
  },
  {
    name: 'Cát Hải',
    legacyProvince: '31',
    district: 'Cát Hải',
    districtKind: 'DISTRICT',
    communes: [
      'Thị trấn Cát Bà',
      'Thị trấn Cát Hải',
      'Xã Đồng Bài',
      'Xã Hoàng Châu',
      'Xã Nghĩa Lộ',
      'Xã Văn Phong',
      'Xã Phù Long',
      'Xã Gia Luận',
      'Xã Hiền Hào',
      'Xã Trân Châu',
      'Xã Việt Hải',
      'Xã Xuân Đám',
    ],
  },
  {
    name: 'Bạch Long Vĩ',
    legacyProvince: '31',
    district: 'Bạch Long Vĩ',
    districtKind: 'DISTRICT',
    communes: [],
  },
  {
    name: 'Cồn Cỏ',
    legacyProvince: '45',
    district: 'Cồn Cỏ',
    districtKind: 'DISTRICT',
    communes: [],
  },
  {
    name: 'Hoàng Sa',
    legacyProvince: '48',
    district: 'Hoàng Sa',
    districtKind: 'DISTRICT',
    communes: [],
  },
  {
    name: 'Lý Sơn',
    legacyProvince: '51',
    district: 'Lý Sơn',
    districtKind: 'DISTRICT',
    communes: ['Xã An Vĩnh', 'Xã An Hải', 'Xã An Bình'],
  },
  {
    name: 'Trường Sa',
    legacyProvince: '56',
    district: 'Trường Sa',
    districtKind: 'DISTRICT',
    communes: ['Thị trấn Trường Sa', 'Xã Song Tử Tây', 'Xã Sinh Tồn'],
  },
  {
    name: 'Phú Quý',
    legacyProvince: '60',
    district: 'Phú Quý',
    districtKind: 'DISTRICT',
    communes: ['Xã Tam Thanh', 'Xã Long Hải', 'Xã Ngũ Phụng'],
  },
  {
    name: 'Côn Đảo',
    legacyProvince: '77',
    district: 'Côn Đảo',
    districtKind: 'DISTRICT',
    communes: [],
  },
  {
    name: 'Phú Quốc',
    legacyProvince: '91',
    district: 'Phú Quốc',
    districtKind: 'CITY',
    communes: [
      'Phường Dương Đông',
      'Phường An Thới',
      'Xã Cửa Cạn',
      'Xã Gành Dầu',
      'Xã Bãi Thơm',
      'Xã Hàm Ninh',
      'Xã Cửa Dương',
      'Xã Dương Tơ',
    ],
  },
  {
    name: 'Thổ Châu',
    legacyProvince: '91',
    district: 'Phú Quốc',
    districtKind: 'CITY',
    communes: ['Xã Thổ Châu'],
  },
  {
    name: 'Kiên Hải',
    legacyProvince: '91',
    district: 'Kiên Hải',
    districtKind: 'DISTRICT',
    communes: ['Xã Hòn Tre', 'Xã Lại Sơn', 'Xã An Sơn', 'Xã Nam Du'],
  },
];

type DistrictSpec = [name: string, kind: LegacyDistrict['kind'], numberedWards?: boolean];

/** The real pre-2025 districts of the three largest cities; elsewhere districts are synthetic. */
const REAL_DISTRICTS: Record<string, DistrictSpec[]> = {
  '01': [
    ['Ba Đình', 'URBAN_DISTRICT'],
    ['Hoàn Kiếm', 'URBAN_DISTRICT'],
    ['Tây Hồ', 'URBAN_DISTRICT'],
    ['Long Biên', 'URBAN_DISTRICT'],
    ['Cầu Giấy', 'URBAN_DISTRICT'],
    ['Đống Đa', 'URBAN_DISTRICT'],
    ['Hai Bà Trưng', 'URBAN_DISTRICT'],
    ['Hoàng Mai', 'URBAN_DISTRICT'],
    ['Thanh Xuân', 'URBAN_DISTRICT'],
    ['Nam Từ Liêm', 'URBAN_DISTRICT'],
    ['Bắc Từ Liêm', 'URBAN_DISTRICT'],
    ['Hà Đông', 'URBAN_DISTRICT'],
    ['Sơn Tây', 'TOWN'],
    ['Sóc Sơn', 'DISTRICT'],
    ['Đông Anh', 'DISTRICT'],
    ['Gia Lâm', 'DISTRICT'],
    ['Thanh Trì', 'DISTRICT'],
    ['Mê Linh', 'DISTRICT'],
    ['Ba Vì', 'DISTRICT'],
    ['Phúc Thọ', 'DISTRICT'],
    ['Đan Phượng', 'DISTRICT'],
    ['Hoài Đức', 'DISTRICT'],
    ['Quốc Oai', 'DISTRICT'],
    ['Thạch Thất', 'DISTRICT'],
    ['Chương Mỹ', 'DISTRICT'],
    ['Thanh Oai', 'DISTRICT'],
    ['Thường Tín', 'DISTRICT'],
    ['Phú Xuyên', 'DISTRICT'],
    ['Ứng Hòa', 'DISTRICT'],
    ['Mỹ Đức', 'DISTRICT'],
  ],
  '48': [
    ['Liên Chiểu', 'URBAN_DISTRICT'],
    ['Thanh Khê', 'URBAN_DISTRICT'],
    ['Hải Châu', 'URBAN_DISTRICT'],
    ['Sơn Trà', 'URBAN_DISTRICT'],
    ['Ngũ Hành Sơn', 'URBAN_DISTRICT'],
    ['Cẩm Lệ', 'URBAN_DISTRICT'],
    ['Hòa Vang', 'DISTRICT'],
  ],
  '79': [
    ['1', 'URBAN_DISTRICT'],
    ['12', 'URBAN_DISTRICT'],
    ['Gò Vấp', 'URBAN_DISTRICT', true],
    ['Bình Thạnh', 'URBAN_DISTRICT', true],
    ['Tân Bình', 'URBAN_DISTRICT', true],
    ['Tân Phú', 'URBAN_DISTRICT'],
    ['Phú Nhuận', 'URBAN_DISTRICT', true],
    ['Thủ Đức', 'CITY'],
    ['3', 'URBAN_DISTRICT', true],
    ['10', 'URBAN_DISTRICT', true],
    ['11', 'URBAN_DISTRICT', true],
    ['4', 'URBAN_DISTRICT', true],
    ['5', 'URBAN_DISTRICT', true],
    ['6', 'URBAN_DISTRICT', true],
    ['8', 'URBAN_DISTRICT', true],
    ['Bình Tân', 'URBAN_DISTRICT'],
    ['7', 'URBAN_DISTRICT'],
    ['Củ Chi', 'DISTRICT'],
    ['Hóc Môn', 'DISTRICT'],
    ['Bình Chánh', 'DISTRICT'],
    ['Nhà Bè', 'DISTRICT'],
    ['Cần Giờ', 'DISTRICT'],
  ],
};

/** Real names of some current wards, given to the first wards of these cities. */
const REAL_WARDS: Record<string, string[]> = {
  '01': [
    'Hoàn Kiếm',
    'Cửa Nam',
    'Ba Đình',
    'Ngọc Hà',
    'Giảng Võ',
    'Hai Bà Trưng',
    'Vĩnh Tuy',
    'Bạch Mai',
    'Đống Đa',
    'Kim Liên',
    'Văn Miếu - Quốc Tử Giám',
    'Láng',
    'Ô Chợ Dừa',
  ],
  '48': [
    'Hải Châu',
    'Hòa Cường',
    'Thanh Khê',
    'An Khê',
    'Sơn Trà',
    'Ngũ Hành Sơn',
    'Cẩm Lệ',
    'Liên Chiểu',
  ],
  '79': [
    'Sài Gòn',
    'Tân Định',
    'Bến Thành',
    'Cầu Ông Lãnh',
    'Bàn Cờ',
    'Xuân Hòa',
    'Nhiêu Lộc',
    'Chợ Quán',
    'An Đông',
    'Chợ Lớn',
    'Bình Tây',
    'Gia Định',
    'Thạnh Mỹ Tây',
  ],
};

const FIRST_SYLLABLES = [
  'An',
  'Bình',
  'Tân',
  'Phú',
  'Hòa',
  'Long',
  'Mỹ',
  'Thạnh',
  'Vĩnh',
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Trung',
  'Hưng',
  'Phước',
  'Thuận',
  'Quảng',
  'Xuân',
  'Hồng',
  'Kim',
  'Thanh',
  'Minh',
  'Đại',
  'Cẩm',
  'Yên',
  'Thái',
  'Hải',
  'Sơn',
  'Lạc',
  'Hiệp',
  'Nghĩa',
  'Đức',
  'Thiện',
  'Hợp',
  'Quang',
  'Liên',
  'Tiên',
  'Song',
  'Gia',
  'Cát',
  'Ngọc',
  'Phong',
  'Hà',
  'Văn',
  'Thượng',
  'Hạ',
  'Định',
  'Tường',
  'Khánh',
  'Lộc',
  'Thọ',
  'Thắng',
  'Hoàng',
  'Lam',
  'Châu',
  'Tam',
  'Vạn',
  'Trường',
  'Hiếu',
  'Lương',
  'Đồng',
  'Quỳnh',
  'Diễn',
  'Cao',
  'Tịnh',
  'Hành',
  'Phổ',
  'Ninh',
  'Tuy',
];
const SECOND_SYLLABLES = [
  'Phú',
  'An',
  'Bình',
  'Hòa',
  'Lợi',
  'Thành',
  'Thịnh',
  'Hưng',
  'Long',
  'Lộc',
  'Sơn',
  'Hải',
  'Lâm',
  'Điền',
  'Thủy',
  'Phong',
  'Tiến',
  'Nghĩa',
  'Đông',
  'Tây',
  'Trung',
  'Mỹ',
  'Xuân',
  'Hiệp',
  'Thuận',
  'Phước',
  'Quang',
  'Minh',
  'Khánh',
  'Tân',
  'Thọ',
  'Vinh',
  'Hà',
  'Yên',
  'Lạc',
  'Cường',
  'Đức',
  'Thắng',
  'Đạo',
  'Hồng',
  'Tài',
  'Châu',
  'Giang',
  'Hợp',
  'Kiều',
  'Quý',
  'Định',
  'Tường',
  'Lệ',
  'Chánh',
  'Hội',
  'Thới',
  'Trạch',
  'Ninh',
  'Dương',
  'Liêm',
  'Linh',
  'Thanh',
  'Trị',
  'Xá',
  'Cầu',
  'Khê',
  'Lương',
  'Nhuận',
  'Uyên',
  'Vân',
  'Hạnh',
  'Đồng',
];

const LEGACY_CITIES = new Set(['01', '31', '48', '79', '92']);
/** The last day of the pre-2025 units, and the first of the current ones. */
export const LEGACY_VALID_UNTIL = '2025-06-30';
export const CURRENT_VALID_FROM = '2025-07-01';

function regionOf(legacyCode: string): Region {
  const n = Number(legacyCode);
  return n <= 42 ? 'NORTH' : n <= 68 ? 'CENTRAL' : 'SOUTH';
}

const ETHNICITY_PROFILES: Record<string, [string, number][]> = {
  NORTHEAST: [
    ['Kinh', 40],
    ['Tày', 30],
    ['Nùng', 20],
    ['Dao', 6],
    ["H'Mông", 4],
  ],
  NORTHWEST: [
    ['Kinh', 35],
    ['Thái', 25],
    ["H'Mông", 22],
    ['Dao', 8],
    ['Tày', 7],
    ['Mường', 3],
  ],
  MUONG: [
    ['Kinh', 28],
    ['Mường', 63],
    ['Thái', 4],
    ['Tày', 3],
    ['Dao', 2],
  ],
  NORTH_CENTRAL: [
    ['Kinh', 86],
    ['Mường', 6],
    ['Thái', 7],
    ["H'Mông", 1],
  ],
  HIGHLANDS: [
    ['Kinh', 65],
    ['Gia Rai', 12],
    ['Ê Đê', 9],
    ['Ba Na', 6],
    ['Tày', 3],
    ['Nùng', 3],
    ['Dao', 1],
    ["H'Mông", 1],
  ],
  KHMER: [
    ['Kinh', 87],
    ['Khmer', 11],
    ['Hoa', 2],
  ],
  CHAM: [
    ['Kinh', 86],
    ['Chăm', 12],
    ['Hoa', 1],
    ['Khmer', 1],
  ],
  SOUTHEAST: [
    ['Kinh', 93],
    ['Hoa', 5],
    ['Khmer', 1],
    ['Nùng', 0.5],
    ['Chăm', 0.5],
  ],
  DEFAULT: [
    ['Kinh', 98.5],
    ['Hoa', 0.4],
    ['Mường', 0.4],
    ['Tày', 0.4],
    ['Nùng', 0.3],
  ],
};
const ETHNICITY_PROFILE_OF: Record<string, string> = {
  '04': 'NORTHEAST',
  '06': 'NORTHEAST',
  '08': 'NORTHEAST',
  '19': 'NORTHEAST',
  '20': 'NORTHEAST',
  '02': 'NORTHWEST',
  '10': 'NORTHWEST',
  '11': 'NORTHWEST',
  '12': 'NORTHWEST',
  '14': 'NORTHWEST',
  '15': 'NORTHWEST',
  '17': 'MUONG',
  '38': 'NORTH_CENTRAL',
  '40': 'NORTH_CENTRAL',
  '62': 'HIGHLANDS',
  '64': 'HIGHLANDS',
  '66': 'HIGHLANDS',
  '67': 'HIGHLANDS',
  '68': 'HIGHLANDS',
  '84': 'KHMER',
  '89': 'KHMER',
  '91': 'KHMER',
  '94': 'KHMER',
  '95': 'KHMER',
  '58': 'CHAM',
  '60': 'CHAM',
  '74': 'SOUTHEAST',
  '75': 'SOUTHEAST',
  '79': 'SOUTHEAST',
};

const geographyCache = new Map<number, Geography>();

/** The administrative geography for a seed (computed once per seed and process). */
export function geographyFor(seed: number): Geography {
  let geography = geographyCache.get(seed);
  if (!geography) {
    geography = buildGeography(seed);
    geographyCache.set(seed, geography);
  }
  return geography;
}

function buildGeography(seed: number): Geography {
  const random = new Random(Stream.geography, seed);
  const successorOf = new Map<string, string>();
  for (const p of provinces.from2025) for (const code of p.merges) successorOf.set(code, p.code);

  const legacyProvinces: LegacyProvince[] = provinces.before2025.map((p) => {
    const kind = LEGACY_CITIES.has(p.code) ? 'CITY' : 'PROVINCE';
    return {
      code: p.code,
      name: p.name.normalize('NFC'),
      fullName: withKind(p.name, kind),
      kind,
      successorCode: successorOf.get(p.code) as string,
      region: regionOf(p.code),
      population: POPULATION[p.code],
      ethnicities: new Weighted(
        ETHNICITY_PROFILES[ETHNICITY_PROFILE_OF[p.code] ?? 'DEFAULT'].map(
          ([n, w]) => [n.normalize('NFC'), w] as const,
        ),
      ),
    };
  });
  const legacyProvinceByCode = new Map(legacyProvinces.map((p) => [p.code, p]));
  const provinceList: Province[] = provinces.from2025.map((p) => {
    const kind = p.kind === 'city' ? 'CITY' : 'PROVINCE';
    return {
      code: p.code,
      name: p.name.normalize('NFC'),
      fullName: withKind(p.name, kind),
      kind,
      legacyCodes: p.merges,
      population: p.merges.reduce((sum, code) => sum + POPULATION[code], 0),
      validFrom: (p as { validFrom?: string }).validFrom ?? CURRENT_VALID_FROM,
    };
  });
  provinceList.sort((a, b) => a.code.localeCompare(b.code));

  // How many legacy communes each legacy province had, and how many current communes each
  // receives: about three legacy communes merged into each current one.
  const legacyCommuneCount = new Map<string, number>();
  const currentCommuneCount = new Map<string, number>();
  const wardShare = new Map<string, number>();
  for (const province of provinceList) {
    const [count, wards] = COMMUNE_COUNTS[province.code];
    const zones = SPECIAL_ZONES.filter(
      (z) => successorOf.get(z.legacyProvince) === province.code,
    ).length;
    const regular = count - zones;
    const legacyTotal = Math.round(regular * (2.75 + random.float() * 0.5));
    const weights = province.legacyCodes.map((code) => POPULATION[code] ** 0.8);
    const legacySplit = apportion(legacyTotal, weights);
    const currentSplit = apportion(regular, legacySplit);
    province.legacyCodes.forEach((code, i) => {
      legacyCommuneCount.set(code, Math.max(legacySplit[i], currentSplit[i]));
      currentCommuneCount.set(code, currentSplit[i]);
      wardShare.set(code, wards / count);
    });
  }

  const legacyDistricts: LegacyDistrict[] = [];
  const legacyCommunes: LegacyCommune[] = [];
  const communes: Commune[] = [];
  let districtCounter = 0;
  let communeCounter = 0;
  const nextDistrictCode = (): string => {
    districtCounter += random.chance(0.12) ? 2 : 1;
    return String(districtCounter).padStart(3, '0');
  };
  const nextCommuneCode = (): string => {
    communeCounter += random.range(1, 5);
    return String(communeCounter).padStart(5, '0');
  };
  const placeholder = null as unknown as Commune;

  for (const province of legacyProvinces) {
    const total = legacyCommuneCount.get(province.code) as number;
    const share = wardShare.get(province.code) as number;
    const specs = districtSpecs(random, province, total, share);
    const usedDistrictNames = new Set(specs.map(([name]) => name));
    const weights = specs.map(
      ([, kind]) =>
        (kind === 'DISTRICT' ? 1.3 : kind === 'CITY' ? 1.2 : 1) * (0.7 + random.float() * 0.6),
    );
    const perDistrict = apportion(total, weights, 2);
    const regular: LegacyCommune[] = [];
    specs.forEach(([baseName, kind, numbered], d) => {
      const district: LegacyDistrict = {
        code: nextDistrictCode(),
        fullName: districtName(baseName, kind),
        baseName,
        kind,
        provinceCode: province.code,
        successorCode: province.successorCode,
      };
      legacyDistricts.push(district);
      const names = new Set<string>();
      for (let i = 0; i < perDistrict[d]; i++) {
        const kindOfCommune = communeKind(random, kind, i);
        let base: string;
        if (numbered && kindOfCommune === 'WARD') base = String(i + 1);
        else {
          do base = syllableName(random);
          while (names.has(base));
        }
        names.add(base);
        const commune: LegacyCommune = {
          code: nextCommuneCode(),
          fullName: `${COMMUNE_PREFIX[kindOfCommune]} ${base}`,
          baseName: base,
          kind: kindOfCommune,
          districtCode: district.code,
          provinceCode: province.code,
          successor: placeholder,
          alsoTo: [],
        };
        legacyCommunes.push(commune);
        regular.push(commune);
      }
    });
    // Island districts that became special zones close the province's code ranges.
    const districtsByName = new Map<string, LegacyDistrict>();
    for (const zone of SPECIAL_ZONES.filter((z) => z.legacyProvince === province.code)) {
      let district = districtsByName.get(zone.district);
      if (!district) {
        let baseName = zone.district;
        if (usedDistrictNames.has(baseName)) baseName = `${baseName} Đảo`;
        district = {
          code: nextDistrictCode(),
          fullName: districtName(baseName, zone.districtKind),
          baseName,
          kind: zone.districtKind,
          provinceCode: province.code,
          successorCode: province.successorCode,
        };
        districtsByName.set(zone.district, district);
        legacyDistricts.push(district);
      }
      const members: LegacyCommune[] = zone.communes.map((fullName) => {
        const [prefix, base] = splitKind(fullName);
        return {
          code: nextCommuneCode(),
          fullName: fullName.normalize('NFC'),
          baseName: base,
          kind: prefix,
          districtCode: (district as LegacyDistrict).code,
          provinceCode: province.code,
          successor: placeholder,
          alsoTo: [],
        };
      });
      legacyCommunes.push(...members);
      // A zone with no predecessor commune takes a fresh code, skipped by the legacy numbering.
      const code = members.length > 0 ? members[0].code : nextCommuneCode();
      const zoneUnit: Commune = {
        code,
        fullName: `Đặc khu ${zone.name}`.normalize('NFC'),
        baseName: zone.name.normalize('NFC'),
        kind: 'SPECIAL_ZONE',
        provinceCode: province.successorCode,
        legacy: members,
      };
      for (const member of members) member.successor = zoneUnit;
      // A district that became exactly one special zone is succeeded by that zone.
      const zonesOfDistrict = SPECIAL_ZONES.filter(
        (z) => z.district === zone.district && z.legacyProvince === zone.legacyProvince,
      );
      if (zonesOfDistrict.length === 1) district.successorCode = code;
      communes.push(zoneUnit);
    }
    communes.push(
      ...groupIntoCommunes(
        random,
        province,
        regular,
        currentCommuneCount.get(province.code) as number,
      ),
    );
  }

  setWardCounts(communes, provinceList);
  nameCurrentCommunes(random, communes, provinceList);
  communes.sort((a, b) => a.code.localeCompare(b.code));
  splitCommunes(new Random(Stream.geography, seed, 3), communes, legacyCommunes);

  const residenceIn = new Map<string, Weighted<LegacyCommune>>();
  for (const province of legacyProvinces) {
    const entries = legacyCommunes
      .filter((c) => c.provinceCode === province.code)
      .map(
        (c) =>
          [
            c,
            c.successor.kind === 'SPECIAL_ZONE'
              ? 0.4
              : c.kind === 'WARD'
                ? 2.5
                : c.kind === 'TOWNSHIP'
                  ? 1.5
                  : 1,
          ] as const,
      );
    residenceIn.set(province.code, new Weighted(entries));
  }

  return {
    legacyProvinces,
    provinces: provinceList,
    legacyDistricts,
    legacyCommunes,
    communes,
    legacyProvinceByCode,
    provinceByCode: new Map(provinceList.map((p) => [p.code, p])),
    communeByCode: new Map(communes.map((c) => [c.code, c])),
    legacyCommuneByCode: new Map(legacyCommunes.map((c) => [c.code, c])),
    residenceIn,
    legacyProvinceWeights: new Weighted(legacyProvinces.map((p) => [p, p.population] as const)),
    provinceWeights: new Weighted(provinceList.map((p) => [p, p.population] as const)),
  };
}

/**
 * Exactly the official number of wards per province (687 in all): the communes whose merged
 * units were most urban become the wards.
 */
function setWardCounts(communes: Commune[], provinceList: Province[]): void {
  for (const province of provinceList) {
    const regular = communes
      .filter((c) => c.provinceCode === province.code && c.kind !== 'SPECIAL_ZONE')
      .map((c) => ({
        commune: c,
        urban: c.legacy.filter((m) => m.kind === 'WARD').length / c.legacy.length,
      }))
      .sort((a, b) => b.urban - a.urban || a.commune.code.localeCompare(b.commune.code));
    const wards = COMMUNE_COUNTS[province.code][1];
    regular.forEach((entry, index) => {
      entry.commune.kind = index < wards ? 'WARD' : 'COMMUNE';
    });
  }
}

/** How many current communes took parts of old communes (of the 3,321). */
export const SPLIT_COMMUNES = 161;

/**
 * Gives SPLIT_COMMUNES current communes a part of a neighbouring old commune (the next one in
 * code order, merged into another current commune of the same province): that old commune then
 * has several successors, and its villages or streets tell which one an address belongs to.
 */
function splitCommunes(random: Random, communes: Commune[], legacy: LegacyCommune[]): void {
  const byCode = [...legacy].sort((a, b) => a.code.localeCompare(b.code));
  const next = new Map(byCode.map((c, i) => [c.code, byCode[i + 1]]));
  const candidates = random.shuffle(
    communes.filter((c) => c.kind !== 'SPECIAL_ZONE' && c.legacy.length > 0),
  );
  let split = 0;
  for (const receiver of candidates) {
    if (split === SPLIT_COMMUNES) break;
    const last = [...receiver.legacy].sort((a, b) => a.code.localeCompare(b.code)).at(-1)!;
    const donor = next.get(last.code);
    if (
      !donor ||
      // An old code kept by a new commune names that commune: it is never one of the split ones.
      donor.successor.code === donor.code ||
      donor.successor === receiver ||
      donor.successor.kind === 'SPECIAL_ZONE' ||
      donor.successor.provinceCode !== receiver.provinceCode ||
      donor.alsoTo.length > 0
    )
      continue;
    const word = donor.kind === 'WARD' ? 'Tổ dân phố' : 'Thôn';
    const parts = [`${word} ${syllableName(random)}`, `${word} ${syllableName(random)}`];
    donor.alsoTo.push({ successor: receiver, parts });
    split++;
  }
}

const COMMUNE_PREFIX: Record<LegacyCommune['kind'], string> = {
  WARD: 'Phường',
  COMMUNE: 'Xã',
  TOWNSHIP: 'Thị trấn',
};

function withKind(name: string, kind: 'CITY' | 'PROVINCE'): string {
  const nfc = name.normalize('NFC');
  if (nfc.startsWith('Thành phố ') || nfc.startsWith('Tỉnh ')) return nfc;
  return `${kind === 'CITY' ? 'Thành phố' : 'Tỉnh'} ${nfc}`;
}

function districtName(base: string, kind: LegacyDistrict['kind']): string {
  const prefix = { URBAN_DISTRICT: 'Quận', CITY: 'Thành phố', TOWN: 'Thị xã', DISTRICT: 'Huyện' }[
    kind
  ];
  return `${prefix} ${base}`.normalize('NFC');
}

function splitKind(fullName: string): [LegacyCommune['kind'], string] {
  const nfc = fullName.normalize('NFC');
  for (const [kind, prefix] of Object.entries(COMMUNE_PREFIX) as [
    LegacyCommune['kind'],
    string,
  ][]) {
    if (nfc.startsWith(`${prefix} `)) return [kind, nfc.slice(prefix.length + 1)];
  }
  throw new Error(`unknown kind in ${fullName}`);
}

function syllableName(random: Random): string {
  let first: string;
  let second: string;
  do {
    first = random.pick(FIRST_SYLLABLES);
    second = random.pick(SECOND_SYLLABLES);
  } while (first === second);
  return `${first} ${second}`.normalize('NFC');
}

/** Splits `total` into parts proportional to `weights` (largest remainder), each at least `min`. */
function apportion(total: number, weights: readonly number[], min = 1): number[] {
  const n = weights.length;
  const floor = Math.min(min, Math.floor(total / n));
  const rest = total - floor * n;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (rest * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = rest - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) parts[order[k][1]]++;
  return parts.map((p) => p + floor);
}

function districtSpecs(
  random: Random,
  province: LegacyProvince,
  communes: number,
  wardShare: number,
): DistrictSpec[] {
  const real = REAL_DISTRICTS[province.code];
  if (real) return real.map(([name, kind, numbered]) => [name.normalize('NFC'), kind, numbered]);
  const count = Math.max(2, Math.round(communes / (13 + random.float() * 3)));
  const urban = Math.max(1, Math.round(count * wardShare * 1.3));
  const specs: DistrictSpec[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    let kind: LegacyDistrict['kind'];
    let name: string;
    if (i === 0) {
      kind = province.kind === 'CITY' ? 'URBAN_DISTRICT' : 'CITY';
      name = province.kind === 'CITY' ? syllableName(random) : province.name;
    } else {
      kind = i < urban ? (province.kind === 'CITY' ? 'URBAN_DISTRICT' : 'TOWN') : 'DISTRICT';
      do name = syllableName(random);
      while (names.has(name));
    }
    names.add(name);
    specs.push([name, kind, false]);
  }
  return specs;
}

function communeKind(
  random: Random,
  district: LegacyDistrict['kind'],
  index: number,
): LegacyCommune['kind'] {
  switch (district) {
    case 'URBAN_DISTRICT':
      return 'WARD';
    case 'CITY':
      return random.chance(0.75) ? 'WARD' : 'COMMUNE';
    case 'TOWN':
      return random.chance(0.5) ? 'WARD' : 'COMMUNE';
    default:
      return index === 0 ? 'TOWNSHIP' : 'COMMUNE';
  }
}

/** Merges consecutive legacy communes (neighbours, in code order) into `count` current ones. */
function groupIntoCommunes(
  random: Random,
  province: LegacyProvince,
  legacy: LegacyCommune[],
  count: number,
): Commune[] {
  const cuts = new Set<number>();
  const positions = random.shuffle(Array.from({ length: legacy.length - 1 }, (_, i) => i + 1));
  for (const p of positions.slice(0, count - 1)) cuts.add(p);
  const groups: LegacyCommune[][] = [];
  let current: LegacyCommune[] = [];
  legacy.forEach((commune, i) => {
    if (cuts.has(i)) {
      groups.push(current);
      current = [];
    }
    current.push(commune);
  });
  if (current.length > 0) groups.push(current);
  return groups.map((members) => {
    const wards = members.filter((m) => m.kind === 'WARD').length;
    const keeper = random.pick(members);
    const unit: Commune = {
      code: keeper.code,
      fullName: '',
      baseName: keeper.baseName,
      kind: wards * 2 >= members.length ? 'WARD' : 'COMMUNE',
      provinceCode: province.successorCode,
      legacy: members,
    };
    for (const member of members) member.successor = unit;
    return unit;
  });
}

/**
 * Current names, unique within a province: usually the name of a merged commune (numbered
 * wards, never used after 2025, give way to a new name), sometimes a new one.
 */
function nameCurrentCommunes(random: Random, communes: Commune[], provinceList: Province[]): void {
  for (const province of provinceList) {
    const inProvince = communes
      .filter((c) => c.provinceCode === province.code)
      .sort((a, b) => a.code.localeCompare(b.code));
    const used = new Set(
      inProvince.filter((c) => c.kind === 'SPECIAL_ZONE').map((c) => c.baseName),
    );
    const realWards = [...(REAL_WARDS[province.code] ?? [])].map((n) => n.normalize('NFC'));
    for (const commune of inProvince) {
      if (commune.kind === 'SPECIAL_ZONE') continue;
      let base: string | undefined;
      if (commune.kind === 'WARD' && realWards.length > 0) base = realWards.shift();
      const candidates = random.shuffle(
        commune.legacy.map((m) => m.baseName).filter((n) => !/^\d+$/.test(n)),
      );
      for (const candidate of candidates) {
        if (base !== undefined) break;
        if (!used.has(candidate) && random.chance(0.85)) base = candidate;
      }
      while (base === undefined || used.has(base)) base = syllableName(random);
      used.add(base);
      commune.baseName = base;
      commune.fullName = `${commune.kind === 'WARD' ? 'Phường' : 'Xã'} ${base}`;
    }
  }
}
