/**
 * The X12 code lists we rely on (X12.3 data element dictionary), as space-separated text.
 * Only the elements whose value drives our processing (purpose, type, status, hierarchy level,
 * ack codes) are closed lists; everything else is checked for length and type only.
 */

/** 353 Transaction Set Purpose Code (BEG01, BAK01, BSN01). */
export const PURPOSE_353 =
  '00 01 02 03 04 05 06 07 08 10 11 12 13 14 15 16 17 18 19 20 21 22 24 25 26 27 28 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 77 CN CO EX GR PR RH RV SU ZZ'

/** 92 Purchase Order Type Code (BEG02); the common part of the list. */
export const PO_TYPE_92 =
  'AB BE BK BL BY CF CN CO CP CR DR DS EO ER IN IR KB KC KN KO LB LS MM NE NP NS OS PR RA RC RE RL RN RO RR RS RT SA SD SO SP SS ST SU TC TS UD UE US WO ZZ'

/** 587 Acknowledgment Type (BAK02). */
export const ACK_TYPE_587 = 'AC AD AE AH AK AP AT NA RD RF RJ RN RO RV ZZ'

/** 668 Line Item Status Code (ACK01). */
export const LINE_STATUS_668 =
  'AA AC AR BP DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 SP'

/** 735 Hierarchical Level Code (HL03) as used by ship notices. */
export const HL_LEVEL_735 = 'A C D E F G I O P Q S T V W X Y Z 1 2 3 4 5 6 7 8 9'

/** 736 Hierarchical Child Code (HL04). */
export const HL_CHILD_736 = '0 1'

/** 88 Marks and Numbers Qualifier (MAN01); GM = SSCC-18 with application identifier. */
export const MARKS_88 =
  'AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR CA CP DZ GM L LC LS NR PB PM R RB SC SM SN UC W ZZ'

/**
 * 479 Functional Identifier Code (GS01, AK101): the groups a supply-chain gateway sees, and every
 * GS01 of the GS01 → ST01 table (x12-groups.ts).
 */
export const FUNCTIONAL_ID_479 =
  'AG AR AW BE CA CD FA GF GP HB HC HI HN HP HR HS IB IM IN IO IR OG OR OW PC PD PO PR PS PT QG QM RA RC RE RS SC SH SM SO SS SW TX UP WA WB WR'

/** 455 Responsible Agency Code (GS07). */
export const AGENCY_455 = 'T X'

/** 717 Transaction Set Acknowledgment Code (AK501/IK501). */
export const TX_ACK_717 = 'A E M R W X'

/** 715 Functional Group Acknowledge Code (AK901). */
export const GROUP_ACK_715 = 'A E M P R W X'

/**
 * 718 Transaction Set Syntax Error Code (AK502..AK506). 004010 has no 18 and uses 19..22 for the
 * S1S/S2S security segments; 005010 dropped those and added 18 (transaction set not in
 * functional group) and 19 (invalid implementation convention reference).
 */
export const TX_ERROR_718_004010 = '1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 19 20 21 22 23 24 25 26 27'
export const TX_ERROR_718 = '1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27'

/** 618 Implementation Transaction Set Syntax Error Code (IK502..IK506, 999 only): 718 + I5 I6. */
export const TX_ERROR_618 = `${TX_ERROR_718} I5 I6`

/** 716 Functional Group Syntax Error Code (AK905..AK909). */
export const GROUP_ERROR_716 = '1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26'

/** 720 Segment Syntax Error Code (AK304). */
export const SEGMENT_ERROR_720 = '1 2 3 4 5 6 7 8'

/** 620 Implementation Segment Syntax Error Code (IK304, 999 only): 720 + the I codes. */
export const SEGMENT_ERROR_620 = `${SEGMENT_ERROR_720} I4 I6 I7 I8 I9`

/**
 * 723 Element Syntax Error Code (AK403). 12 (too many repetitions) and 13 (too many components)
 * are kept for 004010 too: our 997 reports them whatever the inbound version (known, not encoded:
 * the 004010 list stops at 10).
 */
export const ELEMENT_ERROR_723 = '1 2 3 4 5 6 7 8 9 10 12 13'

/** 621 Implementation Element Syntax Error Code (IK403, 999 only): 723 + the I codes. */
export const ELEMENT_ERROR_621 = `${ELEMENT_ERROR_723} I6 I9 I10 I11 I12 I13`

/** 143 Transaction Set Identifier Code (ST01, AK201): the sets we carry. */
export const TX_SET_143 =
  '810 812 816 820 824 830 832 846 850 852 855 856 860 861 862 864 865 866 867 869 870 875 880 940 943 944 945 947 997 999 270 271 276 277 278 834 835 837'
