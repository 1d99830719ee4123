/**
 * Fixed catalogues: enterprise types, VSIC 2018 industry codes, civil service ranks, banks,
 * street names. Real codes and Vietnamese names, so that the mock reads like the real thing.
 */

const nfc = (s: string): string => s.normalize('NFC');

export interface EnterpriseType {
  code: string;
  name: string;
  /** Short form used in enterprise names. */
  prefix: string;
  foreignSuffix: string;
  shortSuffix: string;
  weight: number;
}

export const ENTERPRISE_TYPES: EnterpriseType[] = [
  {
    code: 'TNHH1',
    name: 'Công ty trách nhiệm hữu hạn một thành viên',
    prefix: 'Công ty TNHH',
    foreignSuffix: 'COMPANY LIMITED',
    shortSuffix: 'CO., LTD',
    weight: 45,
  },
  {
    code: 'TNHH2',
    name: 'Công ty trách nhiệm hữu hạn hai thành viên trở lên',
    prefix: 'Công ty TNHH',
    foreignSuffix: 'COMPANY LIMITED',
    shortSuffix: 'CO., LTD',
    weight: 20,
  },
  {
    code: 'CP',
    name: 'Công ty cổ phần',
    prefix: 'Công ty Cổ phần',
    foreignSuffix: 'JOINT STOCK COMPANY',
    shortSuffix: 'JSC',
    weight: 25,
  },
  {
    code: 'DNTN',
    name: 'Doanh nghiệp tư nhân',
    prefix: 'Doanh nghiệp tư nhân',
    foreignSuffix: 'PRIVATE ENTERPRISE',
    shortSuffix: 'PE',
    weight: 9,
  },
  {
    code: 'HD',
    name: 'Công ty hợp danh',
    prefix: 'Công ty Hợp danh',
    foreignSuffix: 'PARTNERSHIP',
    shortSuffix: 'PARTNERS',
    weight: 1,
  },
].map((t) => ({ ...t, name: nfc(t.name), prefix: nfc(t.prefix) }));

export interface Industry {
  code: string;
  name: string;
  /** Word used in enterprise names carrying this main line of business. */
  field: string;
  fieldEnglish: string;
  weight: number;
}

/** VSIC 2018 level-4 codes (Decision 27/2018/QĐ-TTg) common among registered enterprises. */
export const INDUSTRIES: Industry[] = (
  [
    ['0111', 'Trồng lúa', 'Nông nghiệp', 'AGRICULTURE', 1],
    ['0118', 'Trồng rau, đậu các loại và trồng hoa', 'Nông nghiệp', 'AGRICULTURE', 1],
    ['0146', 'Chăn nuôi gia cầm', 'Chăn nuôi', 'LIVESTOCK', 1],
    ['0150', 'Trồng trọt, chăn nuôi hỗn hợp', 'Nông nghiệp', 'AGRICULTURE', 1],
    ['0322', 'Nuôi trồng thuỷ sản nội địa', 'Thủy sản', 'SEAFOOD', 1],
    ['1010', 'Chế biến, bảo quản thịt và các sản phẩm từ thịt', 'Thực phẩm', 'FOOD', 1],
    ['1020', 'Chế biến, bảo quản thuỷ sản và các sản phẩm từ thuỷ sản', 'Thủy sản', 'SEAFOOD', 1],
    ['1079', 'Sản xuất thực phẩm khác chưa được phân vào đâu', 'Thực phẩm', 'FOOD', 2],
    ['1080', 'Sản xuất thức ăn gia súc, gia cầm và thuỷ sản', 'Thức ăn chăn nuôi', 'FEED', 1],
    ['1104', 'Sản xuất đồ uống không cồn, nước khoáng', 'Đồ uống', 'BEVERAGE', 1],
    ['1410', 'May trang phục (trừ trang phục từ da lông thú)', 'May mặc', 'GARMENT', 3],
    ['1520', 'Sản xuất giày dép', 'Giày da', 'FOOTWEAR', 1],
    ['1622', 'Sản xuất đồ gỗ xây dựng', 'Gỗ', 'WOOD', 1],
    ['1811', 'In ấn', 'In ấn', 'PRINTING', 1],
    ['2220', 'Sản xuất sản phẩm từ plastic', 'Nhựa', 'PLASTICS', 1],
    ['2395', 'Sản xuất bê tông và các sản phẩm từ xi măng và thạch cao', 'Bê tông', 'CONCRETE', 1],
    ['2511', 'Sản xuất các cấu kiện kim loại', 'Cơ khí', 'MECHANICAL', 1],
    ['2592', 'Gia công cơ khí; xử lý và tráng phủ kim loại', 'Cơ khí', 'MECHANICAL', 2],
    ['2610', 'Sản xuất linh kiện điện tử', 'Điện tử', 'ELECTRONICS', 1],
    ['3100', 'Sản xuất giường, tủ, bàn, ghế', 'Nội thất', 'FURNITURE', 2],
    ['3312', 'Sửa chữa máy móc, thiết bị', 'Kỹ thuật', 'ENGINEERING', 1],
    ['3511', 'Sản xuất điện', 'Năng lượng', 'ENERGY', 1],
    ['4101', 'Xây dựng nhà để ở', 'Xây dựng', 'CONSTRUCTION', 6],
    ['4102', 'Xây dựng nhà không để ở', 'Xây dựng', 'CONSTRUCTION', 4],
    ['4212', 'Xây dựng công trình đường bộ', 'Xây dựng Công trình', 'CIVIL ENGINEERING', 3],
    ['4221', 'Xây dựng công trình điện', 'Xây lắp Điện', 'ELECTRICAL CONSTRUCTION', 1],
    ['4299', 'Xây dựng công trình kỹ thuật dân dụng khác', 'Xây dựng', 'CONSTRUCTION', 2],
    ['4321', 'Lắp đặt hệ thống điện', 'Cơ điện', 'M&E', 2],
    [
      '4322',
      'Lắp đặt hệ thống cấp, thoát nước, lò sưởi và điều hoà không khí',
      'Cơ điện lạnh',
      'M&E',
      1,
    ],
    ['4330', 'Hoàn thiện công trình xây dựng', 'Xây dựng', 'CONSTRUCTION', 2],
    ['4511', 'Bán buôn ô tô và xe có động cơ khác', 'Ô tô', 'AUTOMOBILE', 1],
    ['4520', 'Bảo dưỡng, sửa chữa ô tô và xe có động cơ khác', 'Ô tô', 'AUTOMOBILE', 1],
    ['4541', 'Bán mô tô, xe máy', 'Xe máy', 'MOTORBIKE', 1],
    [
      '4620',
      'Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống',
      'Nông sản',
      'AGRICULTURAL PRODUCTS',
      2,
    ],
    ['4632', 'Bán buôn thực phẩm', 'Thực phẩm', 'FOOD', 3],
    ['4633', 'Bán buôn đồ uống', 'Đồ uống', 'BEVERAGE', 1],
    ['4641', 'Bán buôn vải, hàng may sẵn, giày dép', 'Thời trang', 'FASHION', 2],
    ['4649', 'Bán buôn đồ dùng khác cho gia đình', 'Thương mại', 'TRADING', 4],
    ['4651', 'Bán buôn máy vi tính, thiết bị ngoại vi và phần mềm', 'Tin học', 'COMPUTER', 2],
    ['4659', 'Bán buôn máy móc, thiết bị và phụ tùng máy khác', 'Thiết bị', 'EQUIPMENT', 4],
    [
      '4661',
      'Bán buôn nhiên liệu rắn, lỏng, khí và các sản phẩm liên quan',
      'Xăng dầu',
      'PETROLEUM',
      1,
    ],
    [
      '4663',
      'Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng',
      'Vật liệu Xây dựng',
      'BUILDING MATERIALS',
      4,
    ],
    ['4669', 'Bán buôn chuyên doanh khác chưa được phân vào đâu', 'Thương mại', 'TRADING', 4],
    [
      '4711',
      'Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào chiếm tỷ trọng lớn trong các cửa hàng kinh doanh tổng hợp',
      'Bán lẻ',
      'RETAIL',
      2,
    ],
    ['4722', 'Bán lẻ thực phẩm trong các cửa hàng chuyên doanh', 'Thực phẩm', 'FOOD', 1],
    [
      '4752',
      'Bán lẻ đồ ngũ kim, sơn, kính và thiết bị lắp đặt khác trong xây dựng trong các cửa hàng chuyên doanh',
      'Vật liệu Xây dựng',
      'BUILDING MATERIALS',
      1,
    ],
    [
      '4772',
      'Bán lẻ thuốc, dụng cụ y tế, mỹ phẩm và vật phẩm vệ sinh trong các cửa hàng chuyên doanh',
      'Dược phẩm',
      'PHARMACEUTICAL',
      2,
    ],
    ['4932', 'Vận tải hành khách đường bộ khác', 'Vận tải', 'TRANSPORT', 2],
    ['4933', 'Vận tải hàng hóa bằng đường bộ', 'Vận tải', 'TRANSPORT', 3],
    ['5012', 'Vận tải hàng hóa ven biển và viễn dương', 'Vận tải Biển', 'SHIPPING', 1],
    ['5210', 'Kho bãi và lưu giữ hàng hóa', 'Logistics', 'LOGISTICS', 1],
    ['5229', 'Hoạt động dịch vụ hỗ trợ khác liên quan đến vận tải', 'Logistics', 'LOGISTICS', 2],
    ['5510', 'Dịch vụ lưu trú ngắn ngày', 'Khách sạn', 'HOTEL', 2],
    ['5610', 'Nhà hàng và các dịch vụ ăn uống phục vụ lưu động', 'Nhà hàng', 'RESTAURANT', 2],
    ['5630', 'Dịch vụ phục vụ đồ uống', 'Ẩm thực', 'F&B', 1],
    ['5820', 'Xuất bản phần mềm', 'Phần mềm', 'SOFTWARE', 1],
    ['6201', 'Lập trình máy vi tính', 'Công nghệ', 'TECHNOLOGY', 2],
    ['6202', 'Tư vấn máy vi tính và quản trị hệ thống máy vi tính', 'Công nghệ', 'TECHNOLOGY', 1],
    ['6311', 'Xử lý dữ liệu, cho thuê và các hoạt động liên quan', 'Dữ liệu', 'DATA', 1],
    [
      '6810',
      'Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê',
      'Bất động sản',
      'REAL ESTATE',
      3,
    ],
    [
      '6820',
      'Tư vấn, môi giới, đấu giá bất động sản, đấu giá quyền sử dụng đất',
      'Địa ốc',
      'REAL ESTATE',
      2,
    ],
    [
      '6920',
      'Hoạt động liên quan đến kế toán, kiểm toán và tư vấn về thuế',
      'Kế toán',
      'ACCOUNTING',
      1,
    ],
    ['7020', 'Hoạt động tư vấn quản lý', 'Tư vấn', 'CONSULTING', 2],
    ['7110', 'Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan', 'Kiến trúc', 'ARCHITECTURE', 2],
    ['7310', 'Quảng cáo', 'Truyền thông', 'MEDIA', 2],
    ['7710', 'Cho thuê xe có động cơ', 'Cho thuê Xe', 'CAR RENTAL', 1],
    ['7912', 'Điều hành tua du lịch', 'Du lịch', 'TRAVEL', 2],
    ['8121', 'Vệ sinh chung nhà cửa', 'Dịch vụ', 'SERVICES', 1],
    [
      '8299',
      'Hoạt động dịch vụ hỗ trợ kinh doanh khác còn lại chưa được phân vào đâu',
      'Dịch vụ',
      'SERVICES',
      3,
    ],
    ['8559', 'Giáo dục khác chưa được phân vào đâu', 'Giáo dục', 'EDUCATION', 2],
    [
      '8620',
      'Hoạt động của các phòng khám đa khoa, chuyên khoa và nha khoa',
      'Y tế',
      'HEALTHCARE',
      1,
    ],
  ] as [string, string, string, string, number][]
).map(([code, name, field, fieldEnglish, weight]) => ({
  code,
  name: nfc(name),
  field: nfc(field),
  fieldEnglish,
  weight,
}));

/**
 * Brand words of enterprise names (Minh Phát, Hoàng Khang, Tân Đức Lộc, ...). The two lists
 * share no word, so that a brand never repeats one (no "Minh Minh").
 */
export const BRAND_FIRST = [
  'Minh',
  'Hoàng',
  'An',
  'Phúc',
  'Thành',
  'Tân',
  'Đại',
  'Việt',
  'Sao',
  'Kim',
  'Hưng',
  'Thiên',
  'Trường',
  'Nam',
  'Bắc',
  'Đông',
  'Phú',
  'Thịnh',
  'Hải',
  'Ngọc',
  'Bảo',
  'Gia',
  'Quang',
  'Toàn',
  'Hòa',
  'Vạn',
  'Long',
  'Hồng',
  'Sông',
  'Trí',
  'Tín',
  'Nhật',
].map(nfc);
export const BRAND_SECOND = [
  'Phát',
  'Khang',
  'Lộc',
  'Đạt',
  'Mai',
  'Dương',
  'Anh',
  'Phong',
  'Tiến',
  'Sơn',
  'Hà',
  'Á',
  'Âu',
  'Lợi',
  'Thuận',
  'Tâm',
  'Trung',
  'Bình',
  'Nguyên',
  'Vinh',
  'Tài',
  'Cường',
  'Huy',
  'Hiếu',
  'Linh',
  'Khôi',
  'Đức',
  'Kiên',
  'Thái',
  'Lâm',
  'Phương',
].map(nfc);

/** Words that set apart enterprises whose brand is taken, once every plain brand is. */
const BRAND_QUALIFIERS = [
  'Sài Gòn',
  'Hà Nội',
  'Miền Nam',
  'Miền Bắc',
  'Miền Trung',
  'Việt Nam',
  'Quốc tế',
  'Toàn Cầu',
  'Á Châu',
  'Đông Dương',
].map(nfc);

export const TWO_WORD_BRANDS = BRAND_FIRST.length * BRAND_SECOND.length;
/** Brands of two or three words; a third word differs from the second. */
const BRAND_COUNT = TWO_WORD_BRANDS + TWO_WORD_BRANDS * (BRAND_SECOND.length - 1);

/**
 * The brand numbered `n`: distinct numbers give distinct brands (two words, then three, then
 * with a qualifier or a number), which keeps enterprise names unique as the law requires.
 */
export function brand(n: number): string {
  const base = n % BRAND_COUNT;
  const round = Math.floor(n / BRAND_COUNT);
  let words: string;
  if (base < TWO_WORD_BRANDS) {
    words = `${BRAND_FIRST[Math.floor(base / BRAND_SECOND.length)]} ${BRAND_SECOND[base % BRAND_SECOND.length]}`;
  } else {
    const k = base - TWO_WORD_BRANDS;
    const thirds = BRAND_SECOND.length - 1;
    const first = BRAND_FIRST[Math.floor(k / (BRAND_SECOND.length * thirds))];
    const second = Math.floor(k / thirds) % BRAND_SECOND.length;
    const third = k % thirds;
    words = `${first} ${BRAND_SECOND[second]} ${BRAND_SECOND[third >= second ? third + 1 : third]}`;
  }
  if (round === 0) return words;
  return round <= BRAND_QUALIFIERS.length
    ? `${words} ${BRAND_QUALIFIERS[round - 1]}`
    : `${words} ${round}`;
}

export interface Rank {
  code: string;
  name: string;
  category: 'A3' | 'A2' | 'A1' | 'A0' | 'B' | 'C';
  /** Salary table of the category (Decree 204/2004/NĐ-CP): first coefficient, step, grades. */
  firstCoefficient: number;
  step: number;
  grades: number;
  /** Which agencies use the rank: general administration, finance, tax or inspection. */
  family: 'GENERAL' | 'ACCOUNTING' | 'TAX' | 'INSPECTION';
  seniority: 0 | 1 | 2 | 3;
}

const A3 = { category: 'A3', firstCoefficient: 6.2, step: 0.36, grades: 6 } as const;
const A2 = { category: 'A2', firstCoefficient: 4.4, step: 0.34, grades: 8 } as const;
const A1 = { category: 'A1', firstCoefficient: 2.34, step: 0.33, grades: 9 } as const;
const A0 = { category: 'A0', firstCoefficient: 2.1, step: 0.31, grades: 10 } as const;
const B = { category: 'B', firstCoefficient: 1.86, step: 0.2, grades: 12 } as const;

/** Civil service ranks (ngạch công chức) with their official codes. */
const RANK_LIST: Rank[] = [
  { code: '01.001', name: 'Chuyên viên cao cấp', ...A3, family: 'GENERAL', seniority: 3 },
  { code: '01.002', name: 'Chuyên viên chính', ...A2, family: 'GENERAL', seniority: 2 },
  { code: '01.003', name: 'Chuyên viên', ...A1, family: 'GENERAL', seniority: 1 },
  { code: '01.004', name: 'Cán sự', ...A0, family: 'GENERAL', seniority: 0 },
  { code: '01.005', name: 'Nhân viên', ...B, family: 'GENERAL', seniority: 0 },
  { code: '04.023', name: 'Thanh tra viên cao cấp', ...A3, family: 'INSPECTION', seniority: 3 },
  { code: '04.024', name: 'Thanh tra viên chính', ...A2, family: 'INSPECTION', seniority: 2 },
  { code: '04.025', name: 'Thanh tra viên', ...A1, family: 'INSPECTION', seniority: 1 },
  { code: '06.029', name: 'Kế toán viên cao cấp', ...A3, family: 'ACCOUNTING', seniority: 3 },
  { code: '06.030', name: 'Kế toán viên chính', ...A2, family: 'ACCOUNTING', seniority: 2 },
  { code: '06.031', name: 'Kế toán viên', ...A1, family: 'ACCOUNTING', seniority: 1 },
  { code: '06.032', name: 'Kế toán viên trung cấp', ...A0, family: 'ACCOUNTING', seniority: 0 },
  { code: '06.036', name: 'Kiểm tra viên cao cấp thuế', ...A3, family: 'TAX', seniority: 3 },
  { code: '06.037', name: 'Kiểm tra viên chính thuế', ...A2, family: 'TAX', seniority: 2 },
  { code: '06.038', name: 'Kiểm tra viên thuế', ...A1, family: 'TAX', seniority: 1 },
];
export const RANKS: Rank[] = RANK_LIST.map((r) => ({ ...r, name: nfc(r.name) }));

/** Ministries and ministerial-level agencies after the 2025 restructuring. */
export const CENTRAL_AGENCIES: [name: string, family: Rank['family']][] = (
  [
    ['Bộ Nội vụ', 'GENERAL'],
    ['Bộ Tài chính', 'ACCOUNTING'],
    ['Bộ Tư pháp', 'GENERAL'],
    ['Bộ Nông nghiệp và Môi trường', 'GENERAL'],
    ['Bộ Xây dựng', 'GENERAL'],
    ['Bộ Công Thương', 'GENERAL'],
    ['Bộ Y tế', 'GENERAL'],
    ['Bộ Giáo dục và Đào tạo', 'GENERAL'],
    ['Bộ Khoa học và Công nghệ', 'GENERAL'],
    ['Bộ Văn hóa, Thể thao và Du lịch', 'GENERAL'],
    ['Bộ Ngoại giao', 'GENERAL'],
    ['Bộ Dân tộc và Tôn giáo', 'GENERAL'],
    ['Thanh tra Chính phủ', 'INSPECTION'],
    ['Văn phòng Chính phủ', 'GENERAL'],
    ['Ngân hàng Nhà nước Việt Nam', 'ACCOUNTING'],
    ['Cục Thuế', 'TAX'],
    ['Kiểm toán Nhà nước', 'ACCOUNTING'],
  ] as [string, Rank['family']][]
).map(([name, family]) => [nfc(name), family]);

/** Departments of a provincial People's Committee (sở), with the rank family of their staff. */
export const PROVINCIAL_DEPARTMENTS: [name: string, family: Rank['family']][] = (
  [
    ['Văn phòng Ủy ban nhân dân', 'GENERAL'],
    ['Sở Nội vụ', 'GENERAL'],
    ['Sở Tài chính', 'ACCOUNTING'],
    ['Sở Tư pháp', 'GENERAL'],
    ['Sở Nông nghiệp và Môi trường', 'GENERAL'],
    ['Sở Xây dựng', 'GENERAL'],
    ['Sở Công Thương', 'GENERAL'],
    ['Sở Y tế', 'GENERAL'],
    ['Sở Giáo dục và Đào tạo', 'GENERAL'],
    ['Sở Khoa học và Công nghệ', 'GENERAL'],
    ['Sở Văn hóa, Thể thao và Du lịch', 'GENERAL'],
    ['Thanh tra', 'INSPECTION'],
    ['Thuế', 'TAX'],
  ] as [string, Rank['family']][]
).map(([name, family]) => [nfc(name), family]);

export const BANKS = [
  ['Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam (Agribank)', 8],
  ['Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)', 5],
  ['Ngân hàng TMCP Công Thương Việt Nam (VietinBank)', 5],
  ['Ngân hàng TMCP Đầu tư và Phát triển Việt Nam (BIDV)', 5],
  ['Ngân hàng TMCP Kỹ Thương Việt Nam (Techcombank)', 3],
  ['Ngân hàng TMCP Quân đội (MB)', 3],
  ['Ngân hàng TMCP Á Châu (ACB)', 2],
  ['Ngân hàng TMCP Việt Nam Thịnh Vượng (VPBank)', 2],
  ['Ngân hàng TMCP Sài Gòn Thương Tín (Sacombank)', 2],
  ['Ngân hàng TMCP Sài Gòn - Hà Nội (SHB)', 1],
  ['Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh (HDBank)', 1],
  ['Ngân hàng Chính sách xã hội Việt Nam', 2],
].map(([name, weight]) => [nfc(name as string), weight as number] as const);

/** Street names used in every city (heroes, dynasties, dates). */
export const STREETS = [
  'Trần Hưng Đạo',
  'Lê Lợi',
  'Nguyễn Huệ',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Quang Trung',
  'Nguyễn Trãi',
  'Lê Duẩn',
  'Điện Biên Phủ',
  'Hùng Vương',
  'Trần Phú',
  'Phan Chu Trinh',
  'Nguyễn Du',
  'Hoàng Diệu',
  'Lê Thánh Tông',
  'Nguyễn Văn Cừ',
  'Võ Thị Sáu',
  'Cách Mạng Tháng Tám',
  'Ngô Quyền',
  'Bà Triệu',
  'Lý Thái Tổ',
  'Nguyễn Thị Minh Khai',
  'Đinh Tiên Hoàng',
  'Trần Quốc Toản',
  'Phạm Ngũ Lão',
  'Nguyễn Đình Chiểu',
  'Hoàng Văn Thụ',
  'Lê Hồng Phong',
  'Ngô Gia Tự',
  'Phan Đình Phùng',
  'Trường Chinh',
  'Võ Văn Kiệt',
  'Nguyễn Tất Thành',
  'Lê Lai',
  'Phan Bội Châu',
  'Tôn Đức Thắng',
  'Nguyễn Chí Thanh',
  'Lạc Long Quân',
  'Âu Cơ',
  'Hàm Nghi',
  'Trần Nhân Tông',
  'Nguyễn Văn Linh',
  'Phạm Văn Đồng',
  'Lê Văn Sỹ',
  'Chu Văn An',
  'Yersin',
  'Pasteur',
  'Nguyễn Thái Học',
  'Tháng Hai',
  '30 Tháng 4',
].map(nfc);

/** Hamlet words: thôn and xóm in the North, ấp in the South, bản in the mountains. */
export const HAMLET_WORDS: Record<'NORTH' | 'CENTRAL' | 'SOUTH', string[]> = {
  NORTH: ['Thôn', 'Thôn', 'Xóm', 'Tổ dân phố'].map(nfc),
  CENTRAL: ['Thôn', 'Thôn', 'Khối phố', 'Tổ dân phố'].map(nfc),
  SOUTH: ['Ấp', 'Ấp', 'Khu phố'].map(nfc),
};

export const RELIGIONS = {
  NORTH: [
    ['Không', 88],
    ['Công giáo', 7],
    ['Phật giáo', 4],
    ['Tin lành', 1],
  ],
  CENTRAL: [
    ['Không', 88],
    ['Phật giáo', 5],
    ['Công giáo', 5],
    ['Tin lành', 2],
  ],
  SOUTH: [
    ['Không', 80],
    ['Phật giáo', 7],
    ['Công giáo', 7],
    ['Phật giáo Hòa Hảo', 3],
    ['Cao Đài', 2],
    ['Tin lành', 1],
  ],
} as const;

/** Kinds of dependent unit (chi nhánh, văn phòng đại diện, địa điểm kinh doanh), with weights. */
export const BRANCH_KINDS: [kind: string, weight: number][] = [
  ['BRANCH', 6],
  ['REPRESENTATIVE_OFFICE', 2],
  ['BUSINESS_LOCATION', 3],
];

/** Employment kinds: công chức and viên chức. */
export const EMPLOYMENT_KINDS = {
  civilServant: 'CIVIL_SERVANT',
  publicEmployee: 'PUBLIC_EMPLOYEE',
} as const;
