//! Flush-to-zero / denormals-are-zero for threads that run DSP.

/// Set FTZ and DAZ on the calling thread (x86/x86_64 MXCSR bits 15 and 6; AArch64 FPCR.FZ).
/// Filters and feedback loops decaying towards zero otherwise hit denormals, which are up to
/// 100× slower on x86. Call it on every thread that runs kernels; the engine does so for its
/// render thread and every rayon worker.
pub fn flush_denormals_to_zero() {
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    // SAFETY: reads and writes only this thread's MXCSR; FTZ/DAZ change rounding of denormals
    // and nothing else.
    unsafe {
        let mut csr: u32 = 0;
        core::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack));
        csr |= (1 << 15) | (1 << 6);
        core::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly));
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: sets the FZ bit of this thread's FPCR only.
    unsafe {
        let mut fpcr: u64;
        core::arch::asm!("mrs {}, fpcr", out(reg) fpcr);
        fpcr |= 1 << 24;
        core::arch::asm!("msr fpcr, {}", in(reg) fpcr);
    }
}

/// Whether FTZ is set on the calling thread (for tests).
pub fn denormals_flushed() -> bool {
    let tiny = std::hint::black_box(f32::MIN_POSITIVE);
    std::hint::black_box(tiny * 0.5) == 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FTZ/DAZ is set on the calling thread and on every worker of the DSP pool.
    #[test]
    fn flushes_on_this_thread_and_pool_workers() {
        std::thread::spawn(|| {
            flush_denormals_to_zero();
            assert!(denormals_flushed());
        })
        .join()
        .unwrap();
        let pool = crate::DspPool::new(3).unwrap();
        let flags = pool.pool.as_ref().unwrap().broadcast(|_| denormals_flushed());
        assert_eq!(flags, vec![true; 3]);
    }
}
